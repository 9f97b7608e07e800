"""The embedded local stack: the app's resources on moto, provisioned from template.yaml itself."""
