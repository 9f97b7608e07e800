"""Build-time generators of the app's derived files (the OpenAPI document, the gateway's request models,
the workflow's substitutions): each reads the one definition of a fact and writes or checks its copies.
Neither shipped to Lambda nor part of the local stack."""
