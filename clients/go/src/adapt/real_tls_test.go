package adapt_test

import (
	"context"
	"os"
	"testing"
	"time"

	"adapt"
	adaptv1 "adapt/v1"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestRealTLSServer: the Go client against Adapt's own TLS port (`adapt serve --tls-cert --tls-key
// --client-ca`), not a terminator: mutual TLS with an API key of a project. tests/clients/test_tls.py starts
// that server and passes ADAPT_TEST_TLS_*; without them there is nothing to test.
func TestRealTLSServer(t *testing.T) {
	target := os.Getenv("ADAPT_TEST_TLS_TARGET")
	if target == "" {
		t.Skip("ADAPT_TEST_TLS_TARGET is not set")
	}
	read := func(name string) []byte {
		data, err := os.ReadFile(os.Getenv(name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	ca, cert, key := read("ADAPT_TEST_TLS_CA"), read("ADAPT_TEST_TLS_CLIENT_CERT"), read("ADAPT_TEST_TLS_CLIENT_KEY")
	apiKey := os.Getenv("ADAPT_TEST_TLS_API_KEY")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	client, err := adapt.Dial(target, adapt.WithAPIKey(apiKey), adapt.WithTLS(ca, cert, key))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	model, err := client.Models.GetModel(ctx, &adaptv1.GetModelRequest{Id: "whisper-tiny.en"})
	if err != nil || model.Id != "whisper-tiny.en" {
		t.Fatalf("a model over mutual TLS: %v %v", model, err)
	}
	if _, err := client.Status(ctx); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a key without server:read got %v from GetStatus", err)
	}

	noKey, _ := adapt.Dial(target, adapt.WithTLS(ca, cert, key))
	defer noKey.Close()
	get := &adaptv1.GetModelRequest{Id: "whisper-tiny.en"}
	if _, err := noKey.Models.GetModel(ctx, get); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("without a key: %v", err)
	}
	short, cancelShort := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelShort()
	noCert, _ := adapt.Dial(target, adapt.WithAPIKey(apiKey), adapt.WithTLS(ca, nil, nil))
	defer noCert.Close()
	if _, err := noCert.Models.GetModel(short, get); err == nil {
		t.Fatal("the server accepted a client without a certificate")
	}
}
