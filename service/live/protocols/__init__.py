"""Contact-centre platforms' own streaming protocols, as thin adapters into the live call runner.

Each adapter speaks one platform's wire format on its own WebSocket route and turns it into
what :func:`calltone.service.live.runner.run_call` takes from calltone's own protocol
(:mod:`calltone.service.live.protocols.calltone`, the first adapter): a ``start`` message (agent
id, sample rate, channels, which channel is the agent), binary interleaved 16-bit PCM and a
``stop``. The runner does the rest (analysis, alerts to the feeds, storage, transcription,
listen-in) exactly as for ``/v1/calls/{call_id}/audio``; platforms in monitor mode ignore what
we send back, so alerts reach people through calltone's own feeds.

- :mod:`service.live.protocols.calltone`: calltone's own protocol (start message, frame checks,
  error codes and close codes).
- :mod:`service.live.protocols.audiohook`: Genesys Cloud AudioHook (Monitor), protocol version 2.
- :mod:`service.live.protocols.twilio`: Twilio Media Streams.
- :mod:`service.live.protocols.fork`: a FreeSWITCH ``mod_audio_fork`` / ``mod_audio_stream`` fork.
- :mod:`service.live.protocols.bridge`: the in-process "socket" the runner reads from.
- :mod:`service.live.protocols.codec`: G.711 mu-law and L16 helpers (numpy tables; no ``audioop``).
- :mod:`service.live.protocols.config`: per-source keys, secrets and role mappings (``CALLTONE_*``).
- :mod:`service.clients.platforms`: clients that stream a recording as each platform would.
"""
