"""sdkgen: YAML specs of an RPC-style Alibaba Cloud API → typed SDKs, docs and an emulator."""

__version__ = "0.1.0"
