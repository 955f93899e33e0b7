package tickets

import (
	"io"
	"net"
	"sync/atomic"
	"testing"
)

// startCuttingProxy forwards TCP to target. Its first `times` connections are
// cut after the server has sent `after` bytes, like a network that drops.
func startCuttingProxy(t *testing.T, target string, times int32, after int64, cuts *atomic.Int32) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			cut := conns.Add(1) <= times
			go func() { io.Copy(up, c); up.Close() }()
			go func() {
				if cut {
					io.CopyN(c, up, after)
					cuts.Add(1)
				} else {
					io.Copy(c, up)
				}
				c.Close()
				up.Close()
			}()
		}
	}()
	return ln.Addr().String()
}
