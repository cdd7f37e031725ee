"""AWS Signature V4 credentials: stored sealed, never returned, and signing connector calls
that a local AWS stand-in verifies with botocore (apps/credentials/tests/aws_server.py)."""

from __future__ import annotations

import pytest

from apps.blocks.sdk import BlockError
from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.outbound import InvalidRequest, aws_scope
from apps.credentials.models import Credential
from apps.credentials.tests.aws_server import AwsQueryServer
from apps.workflows.block_host import block_services

pytestmark = pytest.mark.django_db

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:orders"


@pytest.fixture
def sns(settings):
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    server = AwsQueryServer(
        access_key_id=KEY_ID, secret_access_key=SECRET, service="sns", region="eu-west-1"
    )
    # A catalogue connector for a non-AWS host carries its scope on the aws_sigv4 scheme.
    connector = Connector.objects.create(
        slug="aws-sns",
        name="Amazon SNS",
        base_url=server.url,
        auth_schemes=[
            {"key": "hmac", "kind": "aws_sigv4", "service": "sns", "region": "eu-west-1"}
        ],
    )
    ConnectorOperation.objects.create(
        connector=connector,
        key="Publish",
        name="Publish",
        method="POST",
        path="/",
        body_content_type="application/x-www-form-urlencoded",
        body_schema={
            "type": "object",
            "required": ["Action", "TopicArn", "Message"],
            "properties": {
                "Action": {"const": "Publish"},
                "TopicArn": {"type": "string"},
                "Message": {"type": "string"},
            },
        },
    )
    yield server
    server.close()


def create(api, workspace, secret, **config):
    return api.post(
        "/api/v1/credentials/",
        {
            "workspace": str(workspace.pk),
            "name": "AWS",
            "kind": "aws_sigv4",
            "connector": "aws-sns",
            "config": {"access_key_id": KEY_ID, **config},
            "secret": secret,
        },
        format="json",
    )


def publish(workspace):
    executor = block_services(workspace_id=workspace.pk)["router"].executor.bind(
        connector="aws-sns"
    )
    return executor(
        "aws-sns",
        "Publish",
        {"body": {"Action": "Publish", "TopicArn": TOPIC, "Message": "order 42 shipped"}},
    )


def test_a_connector_call_is_signed_so_that_aws_accepts_it(api, workspace, sns):
    created = create(api, workspace, {"secret_access_key": SECRET})
    assert created.status_code == 201, created.json()
    assert SECRET not in created.content.decode()
    assert created.json()["secret_fields"] == ["secret_access_key", "session_token"]
    assert SECRET not in api.get(f"/api/v1/credentials/{created.json()['id']}/").content.decode()
    stored = Credential.objects.get(pk=created.json()["id"])
    assert SECRET.encode() not in bytes(stored.sealed) and SECRET not in str(stored.public_data)

    result = publish(workspace)

    assert result["status"] == 200 and "m-1" in result["body"], sns.refusals
    assert sns.published == [
        {"Action": ["Publish"], "TopicArn": [TOPIC], "Message": ["order 42 shipped"]}
    ]


def test_a_temporary_key_sends_its_session_token_signed(api, workspace, sns):
    sns.key = sns.key.__class__(KEY_ID, SECRET, "FwoGZXIvYXdzEBYaDTemporaryToken")
    create(
        api,
        workspace,
        {"secret_access_key": SECRET, "session_token": "FwoGZXIvYXdzEBYaDTemporaryToken"},
    )
    assert publish(workspace)["status"] == 200, sns.refusals


def test_a_wrong_secret_or_region_is_refused_by_the_verifier(api, workspace, sns):
    create(api, workspace, {"secret_access_key": SECRET[:-1] + "X"})
    with pytest.raises(BlockError, match="HTTP 403"):
        publish(workspace)
    Credential.objects.all().delete()
    create(api, workspace, {"secret_access_key": SECRET}, region="us-east-1")
    with pytest.raises(BlockError, match="HTTP 403"):
        publish(workspace)
    assert sns.refusals == ["signature mismatch", "credential scope mismatch"]
    assert sns.published == []


def test_settings_are_validated_with_precise_messages(api, workspace, sns):
    response = api.post(
        "/api/v1/credentials/",
        {
            "workspace": str(workspace.pk),
            "name": "AWS",
            "kind": "aws_sigv4",
            "config": {"access_key_id": "akia-lower", "region": "Europe", "service": "SNS!"},
            "secret": {},
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "config.access_key_id": ["An AWS access key id (16 to 128 upper-case letters and digits)."],
        "config.region": ["An AWS region such as eu-west-1."],
        "config.service": ["An AWS signing name such as sns or execute-api."],
        "secret.secret_access_key": ["This field is required."],
    }


def test_service_and_region_come_from_an_aws_endpoint_host():
    assert aws_scope("https://sns.us-east-1.amazonaws.com/") == ("sns", "us-east-1")
    assert aws_scope("https://lambda.cn-north-1.amazonaws.com.cn/x") == ("lambda", "cn-north-1")
    assert aws_scope("https://sns.us-east-1.amazonaws.com/", region="eu-west-1") == (
        "sns",
        "eu-west-1",
    )
    with pytest.raises(InvalidRequest, match="not an AWS regional endpoint"):
        aws_scope("https://api.example.com/")
