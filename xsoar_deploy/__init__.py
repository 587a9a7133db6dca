"""Deploy the integration to an XSOAR server with demisto-py: upload, configure an instance, test it."""

from xsoar_deploy.deployment import DeployResult, InstanceRequest, deploy
from xsoar_deploy.errors import DeployFailed, UsageRefused
from xsoar_deploy.server import ServerAbout, ServerSettings, TestModuleOutcome, XsoarServer
from xsoar_deploy.unified import IntegrationBuilds, UnifiedIntegration, find_unified_yaml

__all__ = [
    "DeployFailed",
    "DeployResult",
    "InstanceRequest",
    "IntegrationBuilds",
    "ServerAbout",
    "ServerSettings",
    "TestModuleOutcome",
    "UnifiedIntegration",
    "UsageRefused",
    "XsoarServer",
    "deploy",
    "find_unified_yaml",
]
