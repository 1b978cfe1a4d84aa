"""The command ecma426 0.2.0 installs, ``identity-sourcemap``: see
:mod:`.identity_sourcemap`."""
