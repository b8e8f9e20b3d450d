"""The build pipeline: validate, build, rebuild by entries, serve, and the speed machinery."""
