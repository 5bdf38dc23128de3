// Command releasecheck serves `make release-check` (through hack/goreleaser.sh):
//
//	releasecheck host-config .goreleaser.yaml > FILE   the config with its builds narrowed to
//	                                                   this machine's GOOS/GOARCH
//	releasecheck verify DIST                           checks what a snapshot release of that
//	                                                   config left in DIST
//
// verify reads DIST/metadata.json and DIST/artifacts.json and checks: the checksums file
// lists every archive and package with its right sha256; the archive holds kdeck, LICENSE
// and README.md, and its kdeck runs `--version` and prints the snapshot's version and commit
// (stamped by the ldflags); on Linux, the deb and the rpm install that same kdeck as
// /usr/bin/kdeck (mode 0755) with the license; the krew manifest and the Homebrew cask point
// at the archive with its sha256 and name kdeck as the binary. Only the standard library
// reads the packages (ar, tar, gzip, cpio, the rpm header): no dpkg or rpm tools needed.
package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

func main() {
	var err error
	switch {
	case len(os.Args) == 3 && os.Args[1] == "host-config":
		err = hostConfig(os.Args[2], os.Stdout)
	case len(os.Args) == 3 && os.Args[1] == "verify":
		err = verify(os.Args[2])
	default:
		err = errors.New("usage: releasecheck host-config CONFIG | verify DIST")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "releasecheck:", err)
		os.Exit(1)
	}
}

// hostConfig writes the GoReleaser config with every build narrowed to runtime.GOOS and
// runtime.GOARCH, which must be among its targets. Everything else is kept as it is.
func hostConfig(file string, w io.Writer) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	builds, _ := cfg["builds"].([]any)
	if len(builds) == 0 {
		return fmt.Errorf("%s: no builds", file)
	}
	for i, b := range builds {
		build, ok := b.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: builds[%d] is not a map", file, i)
		}
		if _, ok := build["targets"]; ok {
			return fmt.Errorf("%s: builds[%d] sets targets; only goos/goarch lists can be narrowed", file, i)
		}
		for key, host := range map[string]string{"goos": runtime.GOOS, "goarch": runtime.GOARCH} {
			list, _ := build[key].([]any)
			if !slices.Contains(list, any(host)) {
				return fmt.Errorf("%s: builds[%d].%s %v has no %s: this machine is not a release target", file, i, key, list, host)
			}
			build[key] = []string{host}
		}
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

type artifact struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Goos   string `json:"goos"`
	Goarch string `json:"goarch"`
	Type   string `json:"type"`
}

type checker struct {
	version   string // the snapshot's version, e.g. 0.0.1-next
	commit    string // the commit it was built from
	artifacts []artifact
	sums      map[string]string // checksums.txt: file name → sha256
	failures  []string
}

func (c *checker) fail(format string, args ...any) {
	c.failures = append(c.failures, fmt.Sprintf(format, args...))
}

func verify(dist string) error {
	var meta struct {
		ProjectName string `json:"project_name"`
		Version     string `json:"version"`
		Commit      string `json:"commit"`
	}
	if err := readJSON(filepath.Join(dist, "metadata.json"), &meta); err != nil {
		return err
	}
	c := &checker{version: meta.Version, commit: meta.Commit}
	if err := readJSON(filepath.Join(dist, "artifacts.json"), &c.artifacts); err != nil {
		return err
	}
	if meta.ProjectName != "kdeck" || meta.Version == "" {
		return fmt.Errorf("%s/metadata.json: project %q version %q", dist, meta.ProjectName, meta.Version)
	}
	if _, err := hex.DecodeString(meta.Commit); err != nil || len(meta.Commit) != 40 {
		c.fail("metadata.json: commit %q: goreleaser did not read the git state (run it with -v to see why)", meta.Commit)
	}

	c.checkChecksums()
	archive := c.one("Archive", runtime.GOOS, runtime.GOARCH)
	var bin []byte // the archive's kdeck: the packages must hold the same bytes
	if archive != nil {
		bin = c.checkArchive(*archive)
	}
	if runtime.GOOS == "linux" {
		c.checkDeb(c.pkg(".deb"), bin)
		c.checkRPM(c.pkg(".rpm"), bin)
	} else {
		fmt.Printf("releasecheck: %s builds no deb or rpm; not checked\n", runtime.GOOS)
	}
	if archive != nil {
		c.checkKrew(*archive)
		if runtime.GOOS != "windows" {
			c.checkCask(*archive)
		}
	}

	if len(c.failures) > 0 {
		return fmt.Errorf("%d problem(s) in %s:\n  %s", len(c.failures), dist, strings.Join(c.failures, "\n  "))
	}
	return nil
}

// one returns the single artifact of the type for the target, or nil after a failure.
func (c *checker) one(typ, goos, goarch string) *artifact {
	var found []artifact
	for _, a := range c.artifacts {
		if a.Type == typ && (goos == "" || a.Goos == goos) && (goarch == "" || a.Goarch == goarch) {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		c.fail("want one %s artifact for %s/%s, have %d", typ, goos, goarch, len(found))
		return nil
	}
	return &found[0]
}

func (c *checker) pkg(ext string) *artifact {
	var found []artifact
	for _, a := range c.artifacts {
		if a.Type == "Linux Package" && strings.HasSuffix(a.Name, ext) && a.Goarch == runtime.GOARCH {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		c.fail("want one %s package for linux/%s, have %d", ext, runtime.GOARCH, len(found))
		return nil
	}
	return &found[0]
}

// checkChecksums: every archive and package is listed with the sha256 of the file.
func (c *checker) checkChecksums() {
	sumFile := c.one("Checksum", "", "")
	if sumFile == nil {
		return
	}
	f, err := os.Open(sumFile.Path)
	if err != nil {
		c.fail("%v", err)
		return
	}
	defer f.Close()
	c.sums = map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			c.fail("%s: malformed line %q", sumFile.Name, sc.Text())
			continue
		}
		c.sums[name] = sum
	}
	for _, a := range c.artifacts {
		if a.Type != "Archive" && a.Type != "Linux Package" {
			continue
		}
		want, ok := c.sums[a.Name]
		if !ok {
			c.fail("%s: %s is not listed", sumFile.Name, a.Name)
			continue
		}
		if got, err := fileSHA256(a.Path); err != nil {
			c.fail("%v", err)
		} else if got != want {
			c.fail("%s: %s is listed as %s, is %s", sumFile.Name, a.Name, want, got)
		}
	}
}

// checkArchive: kdeck, LICENSE and README.md at the top, and kdeck --version names the
// snapshot's version. It returns the binary's bytes.
func (c *checker) checkArchive(a artifact) []byte {
	files, err := readArchive(a.Path)
	if err != nil {
		c.fail("%s: %v", a.Name, err)
		return nil
	}
	exe := "kdeck"
	if runtime.GOOS == "windows" {
		exe = "kdeck.exe"
	}
	for _, want := range []string{exe, "LICENSE", "README.md"} {
		if _, ok := files[want]; !ok {
			c.fail("%s: no %s (has %v)", a.Name, want, keys(files))
		}
	}
	bin, ok := files[exe]
	if !ok {
		return nil
	}
	if runtime.GOOS != "windows" && bin.mode&0o111 == 0 {
		c.fail("%s: %s is not executable (mode %o)", a.Name, exe, bin.mode)
	}
	if lic, err := os.ReadFile("LICENSE"); err == nil && !bytes.Equal(lic, files["LICENSE"].data) {
		c.fail("%s: LICENSE differs from the repository's", a.Name)
	}

	dir, err := os.MkdirTemp("", "releasecheck")
	if err != nil {
		c.fail("%v", err)
		return bin.data
	}
	defer os.RemoveAll(dir)
	exePath := filepath.Join(dir, exe)
	if err := os.WriteFile(exePath, bin.data, 0o755); err != nil {
		c.fail("%v", err)
		return bin.data
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, exePath, "--version").CombinedOutput()
	switch {
	case err != nil:
		c.fail("%s: kdeck --version: %v: %s", a.Name, err, out)
	case !containsWord(string(out), c.version):
		c.fail("%s: kdeck --version printed %q, without the snapshot version %s", a.Name, strings.TrimSpace(string(out)), c.version)
	case len(c.commit) < 7 || !strings.Contains(string(out), c.commit[:7]):
		c.fail("%s: kdeck --version printed %q, without the commit %s", a.Name, strings.TrimSpace(string(out)), c.commit)
	default:
		fmt.Printf("releasecheck: %s: kdeck --version: %s\n", a.Name, strings.TrimSpace(string(out)))
	}
	return bin.data
}

// containsWord reports whether s holds w not directly followed by more of a version
// (0.0.1-next must not pass for 0.0.1-next.2 or 0.0.1-nextgen).
func containsWord(s, w string) bool {
	for i := strings.Index(s, w); i >= 0; {
		end := i + len(w)
		if end == len(s) || !strings.ContainsRune("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-+", rune(s[end])) {
			return true
		}
		j := strings.Index(s[end:], w)
		if j < 0 {
			return false
		}
		i = end + j
	}
	return false
}

type entry struct {
	mode int64
	data []byte
}

func keys(m map[string]entry) []string {
	var k []string
	for name := range m {
		k = append(k, name)
	}
	slices.Sort(k)
	return k
}

func readArchive(file string) (map[string]entry, error) {
	files := map[string]entry{}
	if strings.HasSuffix(file, ".zip") {
		z, err := zip.OpenReader(file)
		if err != nil {
			return nil, err
		}
		defer z.Close()
		for _, f := range z.File {
			r, err := f.Open()
			if err != nil {
				return nil, err
			}
			data, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				return nil, err
			}
			files[f.Name] = entry{int64(f.Mode().Perm()), data}
		}
		return files, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return readTar(gz)
}

// readTar returns the regular files of a tar stream by clean relative name.
func readTar(r io.Reader) (map[string]entry, error) {
	files := map[string]entry{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		files[cleanName(h.Name)] = entry{h.Mode, data}
	}
}

// cleanName turns ./usr/bin/kdeck and /usr/bin/kdeck into usr/bin/kdeck.
func cleanName(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// checkInstalled: the package installs the archive's kdeck as /usr/bin/kdeck, mode 0755,
// and the license at lic.
func (c *checker) checkInstalled(name string, files map[string]entry, bin []byte, lic string) {
	kdeck, ok := files["usr/bin/kdeck"]
	switch {
	case !ok:
		c.fail("%s: no /usr/bin/kdeck (has %v)", name, keys(files))
	case kdeck.mode&0o777 != 0o755:
		c.fail("%s: /usr/bin/kdeck has mode %o, want 755", name, kdeck.mode&0o777)
	case bin != nil && !bytes.Equal(kdeck.data, bin):
		c.fail("%s: /usr/bin/kdeck is not the archive's kdeck", name)
	}
	if _, ok := files[lic]; !ok {
		c.fail("%s: no /%s", name, lic)
	}
	if ok {
		fmt.Printf("releasecheck: %s: /usr/bin/kdeck (%d bytes, mode %o), /%s\n", name, len(kdeck.data), kdeck.mode&0o777, lic)
	}
}

// checkDeb reads the deb's ar members: debian-binary, control.tar.gz (Package, Version,
// Architecture) and data.tar.gz.
func (c *checker) checkDeb(a *artifact, bin []byte) {
	if a == nil {
		return
	}
	members, err := readAr(a.Path)
	if err != nil {
		c.fail("%s: %v", a.Name, err)
		return
	}
	if string(members["debian-binary"]) != "2.0\n" {
		c.fail("%s: debian-binary is %q", a.Name, members["debian-binary"])
	}
	control, err := gunzipTar(members["control.tar.gz"])
	if err != nil {
		c.fail("%s: control.tar.gz: %v", a.Name, err)
	} else {
		fields := string(control["control"].data)
		for _, want := range []string{"Package: kdeck\n", "Architecture: " + runtime.GOARCH + "\n", "Maintainer: ", "Version: "} {
			if !strings.Contains(fields, want) {
				c.fail("%s: control has no %q:\n%s", a.Name, strings.TrimSpace(want), fields)
			}
		}
	}
	data, err := gunzipTar(members["data.tar.gz"])
	if err != nil {
		c.fail("%s: data.tar.gz: %v", a.Name, err)
		return
	}
	c.checkInstalled(a.Name, data, bin, "usr/share/doc/kdeck/copyright")
}

func gunzipTar(b []byte) (map[string]entry, error) {
	if b == nil {
		return nil, errors.New("missing")
	}
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return readTar(gz)
}

// readAr reads a Unix ar archive (the deb's container) into its members.
func readAr(file string) (map[string][]byte, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, []byte("!<arch>\n")) {
		return nil, errors.New("not an ar archive")
	}
	members := map[string][]byte{}
	for off := 8; off < len(b); {
		if off+60 > len(b) || string(b[off+58:off+60]) != "`\n" {
			return nil, fmt.Errorf("bad ar header at %d", off)
		}
		name := strings.TrimSuffix(strings.TrimSpace(string(b[off:off+16])), "/")
		size, err := strconv.Atoi(strings.TrimSpace(string(b[off+48 : off+58])))
		if err != nil || off+60+size > len(b) {
			return nil, fmt.Errorf("bad ar member size at %d", off)
		}
		members[name] = b[off+60 : off+60+size]
		off += 60 + size + size%2
	}
	return members, nil
}

// checkRPM reads the rpm's lead, signature and main headers (NAME, VERSION, ARCH, the
// payload's format and compressor) and its gzip'd cpio payload.
func (c *checker) checkRPM(a *artifact, bin []byte) {
	if a == nil {
		return
	}
	b, err := os.ReadFile(a.Path)
	if err != nil {
		c.fail("%v", err)
		return
	}
	tags, payload, err := readRPM(b)
	if err != nil {
		c.fail("%s: %v", a.Name, err)
		return
	}
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	for tag, want := range map[int]string{1000: "kdeck", 1022: arch, 1124: "cpio", 1125: "gzip"} {
		if tags[tag] != want {
			c.fail("%s: header tag %d is %q, want %q", a.Name, tag, tags[tag], want)
		}
	}
	if tags[1001] == "" {
		c.fail("%s: no VERSION", a.Name)
	}
	gz, err := gzip.NewReader(bytes.NewReader(payload))
	if err != nil {
		c.fail("%s: payload: %v", a.Name, err)
		return
	}
	files, err := readCpio(gz)
	if err != nil {
		c.fail("%s: payload: %v", a.Name, err)
		return
	}
	c.checkInstalled(a.Name, files, bin, "usr/share/licenses/kdeck/LICENSE")
}

// readRPM returns the main header's string tags and the payload.
func readRPM(b []byte) (map[int]string, []byte, error) {
	if len(b) < 96 || !bytes.Equal(b[:4], []byte{0xed, 0xab, 0xee, 0xdb}) {
		return nil, nil, errors.New("no rpm lead")
	}
	off := 96
	var tags map[int]string
	for i := range 2 { // the signature header, then the main header
		if off+16 > len(b) || !bytes.Equal(b[off:off+3], []byte{0x8e, 0xad, 0xe8}) {
			return nil, nil, fmt.Errorf("no rpm header at %d", off)
		}
		n := int(binary.BigEndian.Uint32(b[off+8:]))
		size := int(binary.BigEndian.Uint32(b[off+12:]))
		index := b[off+16:]
		store := off + 16 + 16*n
		if store+size > len(b) {
			return nil, nil, fmt.Errorf("rpm header at %d runs past the end", off)
		}
		if i == 1 {
			tags = map[int]string{}
			for e := range n {
				tag := int(binary.BigEndian.Uint32(index[16*e:]))
				typ := binary.BigEndian.Uint32(index[16*e+4:])
				at := int(binary.BigEndian.Uint32(index[16*e+8:]))
				if typ != 6 || at >= size { // STRING
					continue
				}
				s := b[store+at : store+size]
				if z := bytes.IndexByte(s, 0); z >= 0 {
					s = s[:z]
				}
				tags[tag] = string(s)
			}
		}
		off = store + size
		if i == 0 {
			off += (8 - off%8) % 8 // the signature header is padded to 8 bytes
		}
	}
	return tags, b[off:], nil
}

// readCpio reads a new-ASCII ("newc") cpio stream into its regular files.
func readCpio(r io.Reader) (map[string]entry, error) {
	br := bufio.NewReader(r)
	files := map[string]entry{}
	var off int64
	read := func(n int64) ([]byte, error) {
		buf := make([]byte, n)
		_, err := io.ReadFull(br, buf)
		off += n
		return buf, err
	}
	align := func() error {
		_, err := read((4 - off%4) % 4)
		return err
	}
	for {
		h, err := read(110)
		if err != nil {
			return nil, fmt.Errorf("cpio header: %w", err)
		}
		if magic := string(h[:6]); magic != "070701" && magic != "070702" {
			return nil, fmt.Errorf("cpio magic %q", magic)
		}
		field := func(i int) int64 {
			v, _ := strconv.ParseUint(string(h[6+8*i:14+8*i]), 16, 32)
			return int64(v)
		}
		mode, size, namesize := field(1), field(6), field(11)
		name, err := read(namesize)
		if err != nil {
			return nil, err
		}
		if err := align(); err != nil {
			return nil, err
		}
		n := string(bytes.TrimRight(name, "\x00"))
		if n == "TRAILER!!!" {
			return files, nil
		}
		data, err := read(size)
		if err != nil {
			return nil, err
		}
		if err := align(); err != nil {
			return nil, err
		}
		if mode&0o170000 == 0o100000 { // regular file
			files[cleanName(n)] = entry{mode & 0o7777, data}
		}
	}
}

// readOne reads the one artifact of kind (the snapshot's krew manifest, its cask); false
// when there is none, or it cannot be read, which is said.
func (c *checker) readOne(kind string) (*artifact, []byte, bool) {
	a := c.one(kind, "", "")
	if a == nil {
		return nil, nil, false
	}
	raw, err := os.ReadFile(a.Path)
	if err != nil {
		c.fail("%v", err)
		return nil, nil, false
	}
	return a, raw, true
}

// checkKrew: a krew v1alpha2 Plugin named kdeck, version v + the snapshot's, whose platform
// for this machine downloads the archive (by name, with its sha256) and runs bin kdeck.
func (c *checker) checkKrew(archive artifact) {
	a, raw, ok := c.readOne("Krew Plugin Manifest")
	if !ok {
		return
	}
	var m struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct{ Name string }
		Spec       struct {
			Version          string
			ShortDescription string `json:"shortDescription"`
			Platforms        []struct {
				Bin      string
				URI      string
				Sha256   string
				Selector struct {
					MatchLabels map[string]string `json:"matchLabels"`
				}
			}
		}
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		c.fail("%s: %v", a.Name, err)
		return
	}
	if m.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || m.Kind != "Plugin" || m.Metadata.Name != "kdeck" {
		c.fail("%s: %s %s %q, want a krew v1alpha2 Plugin named kdeck", a.Name, m.APIVersion, m.Kind, m.Metadata.Name)
	}
	if a.Name != m.Metadata.Name+".yaml" {
		c.fail("%s: krew wants the manifest named after the plugin, %s.yaml", a.Name, m.Metadata.Name)
	}
	if m.Spec.Version != "v"+c.version || m.Spec.ShortDescription == "" {
		c.fail("%s: version %q (want v%s), shortDescription %q", a.Name, m.Spec.Version, c.version, m.Spec.ShortDescription)
	}
	exe := "kdeck"
	if runtime.GOOS == "windows" {
		exe = "kdeck.exe"
	}
	found := false
	for _, p := range m.Spec.Platforms {
		if p.Selector.MatchLabels["os"] != runtime.GOOS || p.Selector.MatchLabels["arch"] != runtime.GOARCH {
			continue
		}
		found = true
		if p.Bin != exe || path.Base(p.URI) != archive.Name || p.Sha256 != c.sums[archive.Name] {
			c.fail("%s: %s/%s: bin %q uri %q sha256 %s; want bin %s, the archive %s, sha256 %s",
				a.Name, runtime.GOOS, runtime.GOARCH, p.Bin, p.URI, p.Sha256, exe, archive.Name, c.sums[archive.Name])
		}
	}
	if !found {
		c.fail("%s: no platform for %s/%s", a.Name, runtime.GOOS, runtime.GOARCH)
	}
}

// checkCask: a cask named kdeck, at the snapshot's version, that downloads the archive with
// its sha256 and links its kdeck.
func (c *checker) checkCask(archive artifact) {
	a, raw, ok := c.readOne("Homebrew Cask")
	if !ok {
		return
	}
	rb := string(raw)
	url := strings.ReplaceAll(archive.Name, c.version, "#{version}")
	for _, want := range []string{
		`cask "kdeck" do`,
		`version "` + c.version + `"`,
		`binary "kdeck"`,
		`sha256 "` + c.sums[archive.Name] + `"`,
		url + `"`,
	} {
		if !strings.Contains(rb, want) {
			c.fail("%s: no %s", a.Name, want)
		}
	}
}

func readJSON(file string, v any) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

func fileSHA256(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
