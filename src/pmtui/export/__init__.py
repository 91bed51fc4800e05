"""What leaves pmtui for a wiki: the Markdown report, wiki folders, escaping (pure, no Textual)."""
