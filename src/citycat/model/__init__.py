"""The typed, immutable catalogue and the rules about it that every output shares."""
