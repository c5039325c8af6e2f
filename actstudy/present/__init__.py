"""Presentation: tables for people, generated sentences, and figures (by topic)."""
