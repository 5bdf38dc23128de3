package kube

import (
	"context"
	"io"
	"os"
	"time"

	"golang.org/x/term"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
)

// shellCommand starts bash when the image has it, else sh.
var shellCommand = []string{"/bin/sh", "-c", "command -v bash >/dev/null 2>&1 && exec bash || exec sh"}

// Shell is an interactive terminal in a container: a shell started through exec, or the
// container's own process reached through attach (a debug container's). It has the methods
// of bubbletea's ExecCommand, so the UI suspends itself, hands the terminal over, and takes
// it back when the session ends.
type Shell struct {
	client         *Client
	ns, pod        string
	access         Access         // exec or attach
	summary        string         // for the audit log
	options        runtime.Object // *corev1.PodExecOptions or *corev1.PodAttachOptions
	banner         string         // written to the terminal before the stream starts
	stdin          io.Reader
	stdout, stderr io.Writer
}

// Shell returns an interactive shell in container of pod ns/pod.
func (c *Client) Shell(ns, pod, container string) *Shell {
	return c.terminal(ns, pod, ExecAccess(ns), "shell in container "+container, &corev1.PodExecOptions{
		Container: container, Command: shellCommand, Stdin: true, Stdout: true, TTY: true})
}

// Attach returns an interactive terminal attached to the process of container of pod
// ns/pod (its stdin and TTY), as `kubectl attach -it` gives.
func (c *Client) Attach(ns, pod, container string) *Shell {
	s := c.terminal(ns, pod, AttachAccess(ns), "attach to container "+container, &corev1.PodAttachOptions{
		Container: container, Stdin: true, Stdout: true, TTY: true})
	// the process printed its prompt before the attach: a key press shows it again
	s.banner = "If you don't see a command prompt, try pressing enter.\r\n"
	return s
}

func (c *Client) terminal(ns, pod string, access Access, summary string, options runtime.Object) *Shell {
	return &Shell{client: c, ns: ns, pod: pod, access: access, summary: summary, options: options,
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
}

// SetStdin sets the shell's input (the terminal).
func (s *Shell) SetStdin(r io.Reader) { s.stdin = r }

// SetStdout sets where the shell's output goes (the terminal).
func (s *Shell) SetStdout(w io.Writer) { s.stdout = w }

// SetStderr is ignored: a TTY merges the shell's stderr into its stdout.
func (s *Shell) SetStderr(w io.Writer) { s.stderr = w }

// ExecAccess is the request a shell makes.
func ExecAccess(ns string) Access {
	return Access{Verb: "create", GVR: GVRPods, Subresource: "exec", Namespace: ns}
}

// AttachAccess is the request an attach makes.
func AttachAccess(ns string) Access {
	return Access{Verb: "create", GVR: GVRPods, Subresource: "attach", Namespace: ns}
}

// Run opens the session and returns when it ends. It goes through Apply like any
// mutation (a shell can change anything inside the container): refused in read-only mode,
// recorded in the audit log, but without the mutation timeout.
func (s *Shell) Run() error {
	return s.client.Apply(context.Background(), Mutation{
		Access:  s.access,
		Name:    s.pod,
		Summary: s.summary,
		Long:    true,
		Do:      s.stream,
	})
}

func (s *Shell) stream(ctx context.Context) error {
	c := s.client
	req := c.Clientset.CoreV1().RESTClient().Post().Resource("pods").Namespace(s.ns).Name(s.pod).
		SubResource(s.access.Subresource).VersionedParams(s.options, scheme.ParameterCodec)
	spdyExec, err := remotecommand.NewSPDYExecutor(c.Config, "POST", req.URL())
	if err != nil {
		return err
	}
	wsExec, err := remotecommand.NewWebSocketExecutor(c.Config, "GET", req.URL().String())
	if err != nil {
		return err
	}
	exec, err := remotecommand.NewFallbackExecutor(wsExec, spdyExec, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return err
	}
	opts := remotecommand.StreamOptions{Stdin: s.stdin, Stdout: s.stdout, Tty: true}
	if f, ok := s.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		old, err := term.MakeRaw(int(f.Fd()))
		if err != nil {
			return err
		}
		defer term.Restore(int(f.Fd()), old)
		sizes, stop := watchTerminalSize(terminalFD(f, s.stdout))
		defer stop()
		opts.TerminalSizeQueue = sizes
	}
	if s.banner != "" {
		_, _ = io.WriteString(s.stdout, s.banner)
	}
	return exec.StreamWithContext(ctx, opts)
}

// terminalFD is the descriptor whose size the shell takes: the output's when it is a
// terminal (on Windows only a console's output handle has a size), else the input's.
func terminalFD(in *os.File, out io.Writer) int {
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return int(f.Fd())
	}
	return int(in.Fd())
}

// terminalSizes is the queue of the local terminal's sizes that the exec stream reads.
type terminalSizes chan remotecommand.TerminalSize

// watchTerminalSize reports the size of terminal fd now and at every resize (see
// notifyResize) until stop is called. stop ends the watch: the resize registration is
// removed, the queue is closed (Next returns nil) and its goroutine has ended when stop
// returns.
func watchTerminalSize(fd int) (sizes terminalSizes, stop func()) {
	ch := make(terminalSizes, 1)
	resized := make(chan os.Signal, 1)
	stopResize := notifyResize(fd, resized)
	send := func() {
		if w, h, err := term.GetSize(fd); err == nil {
			select {
			case ch <- remotecommand.TerminalSize{Width: uint16(w), Height: uint16(h)}:
			default:
			}
		}
	}
	send()
	quit, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		defer close(ch) // here, so no send can follow it
		for {
			select {
			case <-resized:
				send()
			case <-quit:
				return
			}
		}
	}()
	return ch, func() {
		stopResize()
		close(quit)
		<-ended
	}
}

// pollResize asks size every period and calls changed when the answer differs from the one
// before (an error is no answer), until stop is called; the polling has ended when stop
// returns. It stands in for a resize signal where there is none (Windows).
func pollResize(size func() (width, height int, err error), period time.Duration, changed func()) (stop func()) {
	w, h, _ := size()
	quit, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				if nw, nh, err := size(); err == nil && (nw != w || nh != h) {
					w, h = nw, nh
					changed()
				}
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-ended
	}
}

// Next returns the next terminal size, or nil once the shell has ended.
func (t terminalSizes) Next() *remotecommand.TerminalSize {
	s, ok := <-t
	if !ok {
		return nil
	}
	return &s
}
