"""Deploy the integration to an XSOAR server with demisto-py: upload, configure an instance, test it."""

from xsoar_deploy.deployment import DeployResult, InstanceRequest, deploy
from xsoar_deploy.errors import DeployFailed, UsageRefused
from xsoar_deploy.server import ServerSettings, TestModuleOutcome, XsoarServer
from xsoar_deploy.unified import UnifiedIntegration, find_unified_yaml

__all__ = [
    "DeployFailed",
    "DeployResult",
    "InstanceRequest",
    "ServerSettings",
    "TestModuleOutcome",
    "UnifiedIntegration",
    "UsageRefused",
    "XsoarServer",
    "deploy",
    "find_unified_yaml",
]
