"""Images members add to their posts: checked, re-encoded without metadata, stored, served."""
