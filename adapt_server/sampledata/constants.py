"""Audio constants of the synthetic contact-center calls, each derived from the few chosen ones.

The chosen values are the telephone channel (8 kHz, 300-3400 Hz, G.711 mu-law) and the analysis
frame used to find speech in a rendered waveform; everything else is computed from them.
"""

TTS_SAMPLE_RATE = 22050  # Hz: what libespeak-ng renders natively (checked at initialization)

TELEPHONE_SAMPLE_RATE = 8000  # Hz: narrowband telephony (G.711)
TELEPHONE_BAND_LOW_HZ = 300.0  # Hz: lower edge of the telephone voice band
TELEPHONE_BAND_HIGH_HZ = 3400.0  # Hz: upper edge of the telephone voice band
TELEPHONE_BANDPASS_ORDER = 4  # Butterworth order of each edge (applied forward and backward)

TELEPHONE_CODEC = "pcm_mulaw"  # FFmpeg codec name of G.711 mu-law
TELEPHONE_CONTAINER = "wav"  # RIFF/WAVE with format tag 7 (mu-law)

ANALYSIS_FRAME_S = 0.010  # seconds: frame used for energy-based speech detection
TELEPHONE_FRAME = round(ANALYSIS_FRAME_S * TELEPHONE_SAMPLE_RATE)  # samples at 8 kHz (80)

SPEECH_FLOOR_RELATIVE = 0.02  # frame RMS above this fraction of a clip's loudest frame counts as speech (-34 dB)

SPEECH_RMS_DBFS = -20.0  # dB re full scale: RMS of a turn's speech before the speaker's level offset
LINE_NOISE_DBFS = -60.0  # dB re full scale: RMS of the white line noise before band-limiting

PAUSE_MIN_S = 0.3  # seconds: shortest silence between two turns
PAUSE_MAX_S = 1.0  # seconds: longest silence between two turns
LEAD_IN_MIN_S = 0.3  # seconds: silence before the first turn, shortest
LEAD_IN_MAX_S = 0.8  # seconds: silence before the first turn, longest
TAIL_S = 0.5  # seconds: silence after the last turn
FADE_S = 0.0025  # seconds: raised-cosine fade at both ends of a turn, so its cut makes no click
