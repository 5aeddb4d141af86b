"""Speech: Whisper transcription of call channels, transcript text, phrase cues and redaction."""
