"""The routing state machine, the activation check and the message outbox."""
