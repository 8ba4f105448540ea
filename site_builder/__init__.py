"""Compile the policy sources in content/ into the public Transparency site."""
