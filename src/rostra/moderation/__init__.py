"""On-device toxicity scoring for comment moderation."""
