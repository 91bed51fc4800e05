"""The domain: the review document, its vocabulary, and pure rules about reviews (no I/O, no Textual)."""
