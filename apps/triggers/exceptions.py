from apps.core.exceptions import ApplicationError, InvalidInput


class TriggerConfigInvalid(InvalidInput):
    type = "trigger_config_invalid"


class TriggerNotSchedulable(ApplicationError):
    type = "trigger_not_schedulable"
    status_code = 400


class TriggerNotSwitchable(InvalidInput):
    type = "trigger_not_switchable"
