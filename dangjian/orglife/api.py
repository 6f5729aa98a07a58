"""The org-life app (组织生活) seen from outside: the Python entry points other parts of the
platform may call. The REST endpoint for sign-in devices lives in :mod:`dangjian.api.orglife`."""
from .services import DeviceSignin, authenticate_device, device_sign_in_by_ids

__all__ = ["DeviceSignin", "authenticate_device", "device_sign_in_by_ids"]
