package fakeapi_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/zalo/fakeapi"
)

// Ensure OpenConns counts a client's open connections, and drops to zero
// once a client that left a long poll open has gone: the poll then takes
// nothing more from the queue.
func TestOpenConnsAfterClientDies(t *testing.T) {
	s, err := fakeapi.New(fakeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if n := s.OpenConns(); n != 0 {
		t.Fatalf("OpenConns = %d before any client, want 0", n)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(s.APIBase(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"timeout":30}`
	fmt.Fprintf(c, "POST /bot%s/getUpdates HTTP/1.1\r\nHost: fake\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", s.Token(), len(body), body)
	if err := s.WaitFor(ctx, func() bool { return s.Calls("getUpdates") == 1 && s.OpenConns() == 1 }); err != nil {
		t.Fatalf("the long poll's connection is not counted open: OpenConns = %d", s.OpenConns())
	}
	c.Close() // the client dies with its long poll open
	if err := s.WaitFor(ctx, func() bool { return s.OpenConns() == 0 }); err != nil {
		t.Fatalf("OpenConns = %d after the client closed its connection, want 0", s.OpenConns())
	}
	s.SendText(fakeapi.User{ID: "u1", Name: "Lan"}, "xin chào")
	time.Sleep(20 * time.Millisecond)
	if n := s.Pending(); n != 1 {
		t.Errorf("the dead client's long poll took the update: %d pending, want 1", n)
	}
	if got := call(t, s, "getUpdates", `{"timeout":1}`); !got.OK || !strings.Contains(string(got.Result), "xin chào") {
		t.Errorf("the next poll got %+v, want the update", got)
	}
}
