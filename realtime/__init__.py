"""Real-time fan-out: bus events to the websockets held by this web replica."""
