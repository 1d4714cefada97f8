package adapt_test

// The Go client against a real `adapt serve`: unary transcription of a file, a file streamed at real-time
// pace with interim results and finals, NOT_FOUND for an unknown model (unary and streaming), the API key,
// mutual TLS through a TLS terminator, and a dataset created and waited for. The pytest wrapper
// (tests/clients/test_go.py) starts the server and passes ADAPT_TEST_TARGET, ADAPT_TEST_API_KEY,
// ADAPT_TEST_SOURCE_DIR and ADAPT_TEST_AUDIO_DIR; without ADAPT_TEST_TARGET, TestMain starts `adapt serve`
// itself (ADAPT_TEST_SERVE, default "adapt"). Audio: ../shared/realspeech/asr (real speech, references).

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"adapt"
	adaptv1 "adapt/v1"

	"google.golang.org/grpc/codes"
)

const (
	transcribed = "sb_spk1_snt1"     // 2.9 s, "THE CHILD ALMOST HURT THE SMALL DOG"
	streamed    = "ps_librivox_0890" // 5.3 s of read speech
)

var (
	target, apiKey, sourceDir, audioDir string
	manifest                            = map[string]item{}
)

type item struct {
	ID       string  `json:"id"`
	Text     string  `json:"text"`
	Duration float64 `json:"duration"`
}

func TestMain(m *testing.M) {
	if os.Getenv("ADAPT_TEST_TLS_TARGET") != "" && os.Getenv("ADAPT_TEST_TARGET") == "" {
		os.Exit(m.Run()) // only TestRealTLSServer (real_tls_test.go) has a server: the one it was given
	}
	stop, err := setUp()
	if err != nil {
		fmt.Fprintln(os.Stderr, "setting up the test server:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func setUp() (func(), error) {
	audioDir = os.Getenv("ADAPT_TEST_AUDIO_DIR")
	if audioDir == "" {
		wd, _ := os.Getwd() // clients/go/src/adapt
		audioDir = filepath.Join(wd, "..", "..", "..", "..", "..", "shared", "realspeech", "asr")
	}
	file, err := os.Open(filepath.Join(audioDir, "manifest.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("the realspeech corpus: %w", err)
	}
	defer file.Close()
	for lines := bufio.NewScanner(file); lines.Scan(); {
		var i item
		if err := json.Unmarshal(lines.Bytes(), &i); err == nil {
			manifest[i.ID] = i
		}
	}
	if target = os.Getenv("ADAPT_TEST_TARGET"); target != "" {
		apiKey, sourceDir = os.Getenv("ADAPT_TEST_API_KEY"), os.Getenv("ADAPT_TEST_SOURCE_DIR")
		return func() {}, nil
	}
	root, err := os.MkdirTemp("", "adapt-go-")
	if err != nil {
		return nil, err
	}
	sourceDir, apiKey = filepath.Join(root, "sources"), "go-test-key"
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	target = listener.Addr().String()
	listener.Close()
	command := strings.Fields(os.Getenv("ADAPT_TEST_SERVE"))
	if len(command) == 0 {
		command = []string{"adapt"}
	}
	log, err := os.Create(filepath.Join(root, "server.log"))
	if err != nil {
		return nil, err
	}
	os.MkdirAll(sourceDir, 0o755)
	server := exec.Command(command[0], append(command[1:], "serve", "--data-dir", filepath.Join(root, "data"),
		"--listen", target, "--source-root", sourceDir, "--workers", "1", "--api-key", apiKey)...)
	server.Stdout, server.Stderr = log, log
	dieWithTest(server)
	if err := server.Start(); err != nil {
		return nil, err
	}
	stop := func() { server.Process.Signal(syscall.SIGTERM); server.Wait() }
	client, _ := adapt.Dial(target, adapt.WithAPIKey(apiKey))
	defer client.Close()
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err = client.Status(ctx)
		cancel()
		if err == nil {
			return stop, nil
		}
	}
	stop()
	return nil, fmt.Errorf("adapt serve did not answer within 90 s (log: %s): %v", log.Name(), err)
}

func dial(t *testing.T, options ...adapt.Option) *adapt.Client {
	t.Helper()
	client, err := adapt.Dial(target, append([]adapt.Option{adapt.WithAPIKey(apiKey)}, options...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

func words(text string) []string {
	return strings.Fields(regexp.MustCompile(`[^a-z0-9' ]+`).ReplaceAllString(strings.ToLower(text), " "))
}

// wer: word error rate by edit distance over normalized words.
func wer(reference, hypothesis string) float64 {
	ref, hyp := words(reference), words(hypothesis)
	row := make([]int, len(hyp)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(ref); i++ {
		next := []int{i}
		for j := 1; j <= len(hyp); j++ {
			cost := 1
			if ref[i-1] == hyp[j-1] {
				cost = 0
			}
			next = append(next, min(row[j]+1, next[j-1]+1, row[j-1]+cost))
		}
		row = next
	}
	return float64(row[len(hyp)]) / float64(max(1, len(ref)))
}

func min(values ...int) int {
	m := values[0]
	for _, v := range values[1:] {
		if v < m {
			m = v
		}
	}
	return m
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func TestTranscribeFile(t *testing.T) {
	client := dial(t)
	want := manifest[transcribed]
	result, err := client.TranscribeFile(context.Background(), filepath.Join(audioDir, transcribed+".wav"), adapt.Recognition{})
	if err != nil {
		t.Fatal(err)
	}
	if result.Model != "whisper-tiny.en" || wer(want.Text, result.Text) != 0 {
		t.Fatalf("model %q text %q, want whisper-tiny.en %q", result.Model, result.Text, want.Text)
	}
	var timed []*adaptv1.Word
	for _, segment := range result.Segments {
		timed = append(timed, segment.Words...)
	}
	if len(timed) != len(words(want.Text)) {
		t.Fatalf("%d timed words for %q", len(timed), want.Text)
	}
	for i, w := range timed {
		if w.End > want.Duration+0.5 || (i > 0 && w.Start < timed[i-1].Start) {
			t.Fatalf("word %d %+v out of order or past the end", i, w)
		}
	}
}

func TestStreamAtRealTimePace(t *testing.T) {
	client := dial(t)
	want := manifest[streamed]
	wav, err := os.ReadFile(filepath.Join(audioDir, streamed+".wav"))
	if err != nil {
		t.Fatal(err)
	}
	audio, err := adapt.PCM16FromWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	var finals []string
	interimMidStream := false
	started := time.Now()
	config := adapt.StreamConfig{SampleRateHz: audio.SampleRateHz, Channels: audio.Channels}
	err = client.StreamPCM(context.Background(), audio.Data, config, 100*time.Millisecond, true,
		func(r *adaptv1.StreamingTranscribeResponse) error {
			if r.IsFinal {
				if int(r.UtteranceIndex) != len(finals) {
					return fmt.Errorf("final %d has utterance_index %d", len(finals), r.UtteranceIndex)
				}
				finals = append(finals, r.Text)
			} else if r.AudioReceivedS < want.Duration-0.5 {
				interimMidStream = true
			}
			return nil
		})
	elapsed := time.Since(started).Seconds()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(finals, " ")
	if len(finals) == 0 || wer(want.Text, text) > 0.2 {
		t.Fatalf("finals %q, want about %q", finals, want.Text)
	}
	if elapsed < want.Duration-0.2 || !interimMidStream {
		t.Fatalf("elapsed %.2f s for %.2f s of audio; interim results mid-stream: %v", elapsed, want.Duration, interimMidStream)
	}
}

func TestUnknownModelIsNotFound(t *testing.T) {
	client := dial(t)
	ctx := context.Background()
	_, err := client.TranscribeFile(ctx, filepath.Join(audioDir, transcribed+".wav"), adapt.Recognition{Model: "no-such-model"})
	var e *adapt.Error
	if !errors.As(err, &e) || e.Code != codes.NotFound || !adapt.IsNotFound(err) || !strings.Contains(e.Message, "no-such-model") {
		t.Fatalf("unary: %v, want NOT_FOUND naming the model", err)
	}
	if !strings.HasPrefix(err.Error(), "NOT_FOUND: ") {
		t.Fatalf("message %q", err.Error())
	}
	err = client.StreamPCM(ctx, make([]byte, 32000), adapt.StreamConfig{Recognition: adapt.Recognition{Model: "no-such-model"}},
		100*time.Millisecond, false, func(*adaptv1.StreamingTranscribeResponse) error { return nil })
	if adapt.Code(err) != codes.NotFound {
		t.Fatalf("streaming: %v, want NOT_FOUND", err)
	}
}

func TestAPIKeyIsRequired(t *testing.T) {
	anonymous, err := adapt.Dial(target)
	if err != nil {
		t.Fatal(err)
	}
	defer anonymous.Close()
	if _, err := anonymous.Status(context.Background()); adapt.Code(err) != codes.Unauthenticated {
		t.Fatalf("without the key: %v, want UNAUTHENTICATED", err)
	}
	if _, err := dial(t).Status(context.Background()); err != nil {
		t.Fatalf("with the key: %v", err)
	}
}

func TestDatasetCreateAndWait(t *testing.T) {
	client := dial(t)
	folder := filepath.Join(sourceDir, fmt.Sprintf("go-%d", time.Now().UnixNano()))
	os.MkdirAll(folder, 0o755)
	wav, err := os.ReadFile(filepath.Join(audioDir, transcribed+".wav"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(folder, transcribed+".wav"), wav, 0o644)
	os.WriteFile(filepath.Join(folder, transcribed+".txt"), []byte(manifest[transcribed].Text+"\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	created, err := client.Datasets.CreateDataset(ctx, &adaptv1.CreateDatasetRequest{
		Name: "go-calls", Sources: []*adaptv1.Source{{Type: "local", Uri: folder}}, RequestId: folder,
	})
	if err != nil {
		t.Fatal(err)
	}
	dataset, err := client.WaitDataset(ctx, created.Id)
	if err != nil || dataset.State != adaptv1.State_SUCCEEDED || dataset.Stats.Recordings != 1 || dataset.Stats.TranscribedRecordings != 1 {
		t.Fatalf("dataset %v, error %v", dataset, err)
	}
	all, err := client.AllDatasets(ctx, 1)
	found := false
	for _, d := range all {
		found = found || d.Id == created.Id
	}
	if err != nil || !found {
		t.Fatalf("AllDatasets (pages of 1): %d datasets, found %v, error %v", len(all), found, err)
	}
}

func TestMutualTLS(t *testing.T) {
	ca, caKey := certificate(t, "adapt-test-ca", nil, nil, true)
	serverCert, serverKey := certificate(t, "localhost", ca, caKey, false)
	clientCert, clientKey := certificate(t, "go-client", ca, caKey, false)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	serverPair, _ := tls.X509KeyPair(pemOf("CERTIFICATE", serverCert.Raw), keyPEM(t, serverKey))
	// a TLS terminator in front of the plaintext server, as a deployment puts one: client certificates required
	listener, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{serverPair},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				upstream, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer upstream.Close()
				go io.Copy(upstream, conn)
				io.Copy(conn, upstream)
			}()
		}
	}()
	proxy := strings.Replace(listener.Addr().String(), "127.0.0.1", "localhost", 1)
	caPEM := pemOf("CERTIFICATE", ca.Raw)
	secure, err := adapt.Dial(proxy, adapt.WithAPIKey(apiKey), adapt.WithTLS(caPEM, pemOf("CERTIFICATE", clientCert.Raw), keyPEM(t, clientKey)))
	if err != nil {
		t.Fatal(err)
	}
	defer secure.Close()
	result, err := secure.TranscribeFile(context.Background(), filepath.Join(audioDir, transcribed+".wav"), adapt.Recognition{})
	if err != nil || wer(manifest[transcribed].Text, result.Text) != 0 {
		t.Fatalf("over mutual TLS: %v %v", result, err)
	}
	noCert, _ := adapt.Dial(proxy, adapt.WithAPIKey(apiKey), adapt.WithTLS(caPEM, nil, nil))
	defer noCert.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := noCert.Status(ctx); err == nil {
		t.Fatal("the terminator accepted a client without a certificate")
	}
}

func certificate(t *testing.T, name string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, isCA bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IsCA:        isCA, BasicConstraintsValid: true, DNSNames: []string{name},
	}
	if parent == nil {
		parent, parentKey = template, key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func pemOf(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

func keyPEM(t *testing.T, key *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf("EC PRIVATE KEY", der)
}
