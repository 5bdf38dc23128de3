package kube

import "testing"

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"https://127.0.0.1:6443": true, "https://localhost:1234": true, "https://[::1]:6443": true,
		"https://10.0.0.1:6443": false, "https://api.example.com": false, "": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
