package adapt

import (
	"context"
	"io"
	"os"
	"time"

	adaptv1 "adapt/v1"
)

// Recognition: which model decodes and how. Zero values are the server's defaults.
type Recognition struct {
	Model            string // "whisper-tiny.en", "ft:...", a registered model; "": the bundled model
	DeploymentID     string // or a deployment whose "stt" route names the model
	RoutingKey       string // with DeploymentID: the same key always takes the same side of a canary
	BeamSize         int32
	ComputeType      string
	NoWordTimestamps bool
	InitialPrompt    string
	Hotwords         string
	Temperatures     []float32
	Language         string // language code spoken ("en", "de", ...); "": the model detects it
}

func (r Recognition) config() *adaptv1.RecognitionConfig {
	return &adaptv1.RecognitionConfig{
		Model: r.Model, DeploymentId: r.DeploymentID, RoutingKey: r.RoutingKey, BeamSize: r.BeamSize,
		ComputeType: r.ComputeType, DisableWordTimestamps: r.NoWordTimestamps, InitialPrompt: r.InitialPrompt,
		Hotwords: r.Hotwords, Temperatures: r.Temperatures, Language: r.Language,
	}
}

// Transcribe sends a whole audio file (wav, flac, mp3, ogg/opus, m4a, ...: the server decodes it).
func (c *Client) Transcribe(ctx context.Context, audio []byte, r Recognition) (*adaptv1.TranscribeResponse, error) {
	response, err := c.Speech.Transcribe(ctx, &adaptv1.TranscribeRequest{
		Config: r.config(), AudioSource: &adaptv1.TranscribeRequest_Audio{Audio: audio},
	})
	return response, wrap(err)
}

// TranscribeFile reads a local file and transcribes it.
func (c *Client) TranscribeFile(ctx context.Context, path string, r Recognition) (*adaptv1.TranscribeResponse, error) {
	audio, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return c.Transcribe(ctx, audio, r)
}

// StreamConfig describes the audio of a stream. Zero values: LINEAR16 (raw little-endian PCM16) at 16 kHz
// mono, interim results on, the server's endpointing.
type StreamConfig struct {
	Recognition
	Encoding         adaptv1.AudioEncoding // LINEAR16 (default) or ENCODED (pieces of a file)
	SampleRateHz     int32
	Channels         int32
	NoInterimResults bool
	EndpointSilenceS float64 // trailing silence that ends an utterance
}

// Stream is one StreamingTranscribe call: Send audio chunks, CloseSend at the end, Recv results until io.EOF.
type Stream struct {
	call adaptv1.Speech_StreamingTranscribeClient
}

// StartStream opens a streaming transcription and sends its config.
func (c *Client) StartStream(ctx context.Context, config StreamConfig) (*Stream, error) {
	call, err := c.Speech.StreamingTranscribe(ctx)
	if err != nil {
		return nil, wrap(err)
	}
	if config.Encoding == adaptv1.AudioEncoding_AUDIO_ENCODING_UNSPECIFIED {
		config.Encoding = adaptv1.AudioEncoding_LINEAR16
	}
	if config.SampleRateHz == 0 {
		config.SampleRateHz = 16000
	}
	if config.Channels == 0 {
		config.Channels = 1
	}
	err = call.Send(&adaptv1.StreamingTranscribeRequest{Request: &adaptv1.StreamingTranscribeRequest_Config{
		Config: &adaptv1.StreamingConfig{
			Recognition: config.Recognition.config(), Encoding: config.Encoding, SampleRateHz: config.SampleRateHz,
			Channels: config.Channels, DisableInterimResults: config.NoInterimResults,
			EndpointSilenceS: config.EndpointSilenceS,
		},
	}})
	if err != nil && err != io.EOF {
		return nil, wrap(err)
	}
	return &Stream{call: call}, nil
}

// Send sends one chunk of audio (any size). io.EOF means the server ended the call: Recv tells why.
func (s *Stream) Send(chunk []byte) error {
	err := s.call.Send(&adaptv1.StreamingTranscribeRequest{Request: &adaptv1.StreamingTranscribeRequest_Audio{Audio: chunk}})
	if err == io.EOF {
		return err
	}
	return wrap(err)
}

// CloseSend says the audio ended; the server sends its last finals and ends the call.
func (s *Stream) CloseSend() error { return s.call.CloseSend() }

// Recv returns the next interim or final result; io.EOF after the last one.
func (s *Stream) Recv() (*adaptv1.StreamingTranscribeResponse, error) {
	result, err := s.call.Recv()
	if err == io.EOF {
		return nil, err
	}
	return result, wrap(err)
}

// StreamPCM streams raw PCM16 (config's rate and channels) in chunks of `chunk` audio time, at real-time
// pace when realtime is true (as a phone line would), and calls each for every result until the stream ends.
func (c *Client) StreamPCM(ctx context.Context, pcm []byte, config StreamConfig, chunk time.Duration, realtime bool,
	each func(*adaptv1.StreamingTranscribeResponse) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.StartStream(ctx, config)
	if err != nil {
		return err
	}
	rate, channels := config.SampleRateHz, config.Channels
	if rate == 0 {
		rate = 16000
	}
	if channels == 0 {
		channels = 1
	}
	step := int(int64(rate)*int64(chunk)/int64(time.Second)) * 2 * int(channels)
	if step <= 0 {
		step = 2 * int(channels)
	}
	sent := make(chan error, 1)
	go func() {
		started := time.Now()
		for i, offset := 0, 0; offset < len(pcm); i, offset = i+1, offset+step {
			if realtime {
				if wait := time.Until(started.Add(time.Duration(i) * chunk)); wait > 0 {
					select {
					case <-time.After(wait):
					case <-ctx.Done():
						sent <- ctx.Err()
						return
					}
				}
			}
			end := offset + step
			if end > len(pcm) {
				end = len(pcm)
			}
			if err := stream.Send(pcm[offset:end]); err != nil {
				sent <- nil // the server ended the call; Recv reports why
				return
			}
		}
		sent <- stream.CloseSend()
	}()
	for {
		result, err := stream.Recv()
		if err == io.EOF {
			return <-sent
		}
		if err != nil {
			return err
		}
		if err := each(result); err != nil {
			return err
		}
	}
}
