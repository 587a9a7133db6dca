"""Instance parameters of the integration (config file, PPS_* variables, checkbox words) and masking
their secrets in what is printed: one copy, for the War Room runner and the deploy command.

The integration keeps its own masking (`hide_secret`): it ships to the server alone.
"""

from instance_params.masking import MASK, Masker, encoded_forms, is_secret_name, masked_params, secrets_in
from instance_params.sources import (
    PPS_VARIABLES,
    InvalidParams,
    insecure_param_name,
    load_config_file,
    merge_params,
    params_from_environment,
    parse_flag,
)

__all__ = [
    "MASK",
    "PPS_VARIABLES",
    "InvalidParams",
    "Masker",
    "encoded_forms",
    "insecure_param_name",
    "is_secret_name",
    "load_config_file",
    "masked_params",
    "merge_params",
    "params_from_environment",
    "parse_flag",
    "secrets_in",
]
