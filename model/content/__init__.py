"""The instrument's wording as TOML data files, read by `model.loader`.

A package only so the files ship inside the wheel; edit the `.toml` files, not Python.
"""
