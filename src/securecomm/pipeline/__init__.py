"""The top floor of the flow: the worker that drives every stored submission through the
booking steps (``interop``), the field office's decision and the case that follows
(``cases``), and the submit use case that puts a file through all of it."""
