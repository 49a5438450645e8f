"""Policy: legal-protection gates, explained priority, markings and purposes — pure evaluation over
subjects and a versioned policy (ilos.definitions.policy); no I/O."""
