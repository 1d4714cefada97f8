package adapt

import (
	"encoding/binary"
	"fmt"
)

// PCM16 is raw little-endian signed 16-bit audio, interleaved when Channels > 1.
type PCM16 struct {
	Data         []byte
	SampleRateHz int32
	Channels     int32
}

// PCM16FromWAV returns the samples of a RIFF/WAVE file in PCM16 (format 1, 16 bits); other WAVs are errors.
func PCM16FromWAV(wav []byte) (PCM16, error) {
	if len(wav) < 12 || string(wav[0:4]) != "RIFF" || string(wav[8:12]) != "WAVE" {
		return PCM16{}, fmt.Errorf("not a RIFF/WAVE file")
	}
	var format *PCM16
	for offset := 12; offset+8 <= len(wav); {
		id, size := string(wav[offset:offset+4]), int(binary.LittleEndian.Uint32(wav[offset+4:offset+8]))
		body := offset + 8
		switch id {
		case "fmt ":
			if body+16 > len(wav) {
				return PCM16{}, fmt.Errorf("truncated WAV fmt chunk")
			}
			audioFormat, bits := binary.LittleEndian.Uint16(wav[body:]), binary.LittleEndian.Uint16(wav[body+14:])
			if audioFormat != 1 || bits != 16 {
				return PCM16{}, fmt.Errorf("WAV format %d with %d bits: only PCM16 (format 1) is read here", audioFormat, bits)
			}
			format = &PCM16{Channels: int32(binary.LittleEndian.Uint16(wav[body+2:])),
				SampleRateHz: int32(binary.LittleEndian.Uint32(wav[body+4:]))}
		case "data":
			if format == nil {
				return PCM16{}, fmt.Errorf("WAV data chunk before its fmt chunk")
			}
			end := body + size
			if end > len(wav) {
				end = len(wav)
			}
			format.Data = wav[body:end]
			return *format, nil
		}
		offset = body + size + size%2
	}
	return PCM16{}, fmt.Errorf("WAV file without a data chunk")
}
