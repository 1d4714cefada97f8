// adapt-transcribe: transcribes an audio file with an Adapt server, at once or streamed at real-time pace.
//
//	adapt-transcribe -target localhost:50051 [-api-key KEY] [-model M | -deployment D] [-stream] FILE
//
// -stream needs a PCM16 WAV file and prints interim (~) and final (=) results as they come.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"adapt"
	adaptv1 "adapt/v1"
)

func main() {
	target := flag.String("target", "localhost:50051", "host:port of the Adapt server")
	apiKey := flag.String("api-key", os.Getenv("ADAPT_API_KEY"), "API key (default $ADAPT_API_KEY)")
	model := flag.String("model", "", "model id (default: the server's bundled model)")
	deployment := flag.String("deployment", "", "deployment id whose stt route picks the model")
	stream := flag.Bool("stream", false, "stream the file (PCM16 WAV) at real-time pace")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: adapt-transcribe [flags] FILE")
		flag.PrintDefaults()
		os.Exit(2)
	}
	if err := run(*target, *apiKey, adapt.Recognition{Model: *model, DeploymentID: *deployment}, *stream, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "adapt-transcribe:", err)
		os.Exit(1)
	}
}

func run(target, apiKey string, recognition adapt.Recognition, stream bool, path string) error {
	var options []adapt.Option
	if apiKey != "" {
		options = append(options, adapt.WithAPIKey(apiKey))
	}
	client, err := adapt.Dial(target, options...)
	if err != nil {
		return err
	}
	defer client.Close()
	ctx := context.Background()
	if !stream {
		result, err := client.TranscribeFile(ctx, path, recognition)
		if err != nil {
			return err
		}
		fmt.Printf("%s\n(model %s, %.1f s of audio, real-time factor %.3f)\n", result.Text, result.Model, result.DurationS, result.RealtimeFactor)
		return nil
	}
	wav, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	audio, err := adapt.PCM16FromWAV(wav)
	if err != nil {
		return err
	}
	config := adapt.StreamConfig{Recognition: recognition, SampleRateHz: audio.SampleRateHz, Channels: audio.Channels}
	return client.StreamPCM(ctx, audio.Data, config, 100*time.Millisecond, true, func(r *adaptv1.StreamingTranscribeResponse) error {
		mark := "~"
		if r.IsFinal {
			mark = "="
		}
		fmt.Printf("%s %6.2fs %s\n", mark, r.AudioReceivedS, r.Text)
		return nil
	})
}
