"""Live calls: the hub, per-call runners, worker processes, the message bus and platform adapters."""
