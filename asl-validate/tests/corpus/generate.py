#!/usr/bin/env python3
"""Writes the real-world corpus of asl-validate's tests: clean/ (AWS deploys every file, so
asl-validate must report no error) and refused/CODE/ (AWS refuses every file, and
asl-validate must report CODE).

Every file is written here, from the patterns of AWS's documentation (the Step Functions
developer guide's state and integration pages, the CloudFormation and SAM resource
references, the shapes `cdk synth` emits); nothing is copied from another project.
Run it from anywhere; it rewrites both folders. The files are committed: the tests read
them, not this script.
"""

import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
for folder in ("clean", "refused"):
    shutil.rmtree(os.path.join(HERE, folder), ignore_errors=True)
ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"
FN = "arn:aws:lambda:us-east-1:123456789012:function:ProcessOrder"


def write(rel, text):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text if text.endswith("\n") else text + "\n")


def machine(states, start=None, **top):
    d = dict(top)
    d["StartAt"] = start or next(iter(states))
    d["States"] = states
    return d


def task(resource, end=True, **fields):
    s = {"Type": "Task", "Resource": resource}
    s.update(fields)
    s["End" if end is True else "Next"] = True if end is True else end
    return s


def asl(rel, d):
    write(f"clean/definitions/{rel}.asl.json", json.dumps(d, indent=2))


# ---- optimized integrations, each action and pattern as the developer guide lists them -------
OPTIMIZED = {
    "lambda:invoke": {"FunctionName": FN, "Payload.$": "$"},
    "lambda:invoke.waitForTaskToken": {"FunctionName": FN, "Payload": {"token.$": "$$.Task.Token"}},
    "sns:publish": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:Orders", "Message.$": "$"},
    "sns:publish.waitForTaskToken": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:Orders", "Message": {"token.$": "$$.Task.Token"}},
    "sqs:sendMessage": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody.$": "$"},
    "sqs:sendMessage.waitForTaskToken": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": {"token.$": "$$.Task.Token"}},
    "dynamodb:getItem": {"TableName": "Orders", "Key": {"id": {"S.$": "$.id"}}},
    "dynamodb:putItem": {"TableName": "Orders", "Item": {"id": {"S.$": "$.id"}}},
    "dynamodb:updateItem": {"TableName": "Orders", "Key": {"id": {"S.$": "$.id"}}, "UpdateExpression": "SET s = :s", "ExpressionAttributeValues": {":s": {"S": "done"}}},
    "dynamodb:deleteItem": {"TableName": "Orders", "Key": {"id": {"S.$": "$.id"}}},
    "ecs:runTask": {"Cluster": "c", "TaskDefinition": "t", "LaunchType": "FARGATE"},
    "ecs:runTask.sync": {"Cluster": "c", "TaskDefinition": "t", "LaunchType": "FARGATE"},
    "ecs:runTask.waitForTaskToken": {"Cluster": "c", "TaskDefinition": "t", "Overrides": {"ContainerOverrides": [{"Name": "app", "Environment": [{"Name": "TOKEN", "Value.$": "$$.Task.Token"}]}]}},
    "batch:submitJob.sync": {"JobName": "j", "JobQueue": "q", "JobDefinition": "d"},
    "batch:submitJob": {"JobName": "j", "JobQueue": "q", "JobDefinition": "d"},
    "glue:startJobRun": {"JobName": "etl"},
    "glue:startJobRun.sync": {"JobName": "etl"},
    "athena:startQueryExecution": {"QueryString": "SELECT 1", "WorkGroup": "primary"},
    "athena:startQueryExecution.sync": {"QueryString": "SELECT 1", "WorkGroup": "primary"},
    "athena:getQueryResults": {"QueryExecutionId.$": "$.QueryExecution.QueryExecutionId"},
    "athena:getQueryExecution": {"QueryExecutionId.$": "$.id"},
    "athena:stopQueryExecution": {"QueryExecutionId.$": "$.id"},
    "states:startExecution": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child", "Input.$": "$"},
    "states:startExecution.sync": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child", "Input.$": "$"},
    "states:startExecution.sync:2": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child", "Input": {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"}},
    "states:startExecution.waitForTaskToken": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child", "Input": {"token.$": "$$.Task.Token"}},
    "events:putEvents": {"Entries": [{"Detail.$": "$", "DetailType": "Order", "Source": "shop"}]},
    "events:putEvents.waitForTaskToken": {"Entries": [{"Detail": {"token.$": "$$.Task.Token"}, "DetailType": "Order", "Source": "shop"}]},
    "codebuild:startBuild.sync": {"ProjectName": "build"},
    "codebuild:startBuild": {"ProjectName": "build"},
    "sagemaker:createTrainingJob.sync": {"TrainingJobName.$": "$$.Execution.Name", "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"}, "OutputDataConfig": {"S3OutputPath": "s3://b/o"}, "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 10}, "RoleArn": ROLE, "StoppingCondition": {"MaxRuntimeInSeconds": 3600}},
    "sagemaker:createTransformJob.sync": {"TransformJobName.$": "$$.Execution.Name", "ModelName": "m"},
    "apigateway:invoke": {"ApiEndpoint": "abc.execute-api.us-east-1.amazonaws.com", "Method": "GET", "Stage": "prod", "Path": "/orders"},
    "eks:call": {"ClusterName": "c", "CertificateAuthority": "ca", "Endpoint": "https://e", "Method": "GET", "Path": "/api"},
    "eks:runJob.sync": {"ClusterName": "c", "CertificateAuthority": "ca", "Endpoint": "https://e", "Job": {}},
    "elasticmapreduce:createCluster.sync": {"Name": "c", "ReleaseLabel": "emr-6.15.0", "Instances": {}},
    "elasticmapreduce:addStep.sync": {"ClusterId.$": "$.cluster", "Step": {"Name": "s", "HadoopJarStep": {"Jar": "command-runner.jar"}}},
    "emr-serverless:startJobRun.sync": {"ApplicationId": "a", "ExecutionRoleArn": ROLE, "JobDriver": {}},
    "databrew:startJobRun.sync": {"Name": "job"},
    "mediaconvert:createJob.sync": {"Role": ROLE, "Settings": {}},
    "bedrock:invokeModel": {"ModelId": "anthropic.claude-v2", "Body": {"prompt.$": "$.prompt"}},
    "http:invoke": {"ApiEndpoint": "https://api.example.com/orders", "Method": "GET", "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/id"}},
}
for action, params in OPTIMIZED.items():
    name = action.replace(":", "-").replace(".", "-")
    asl(f"optimized/{name}", machine({"Call": task(f"arn:aws:states:::{action}", Parameters=params)}, Comment=f"Optimized integration {action}"))

# The same integrations written with a region and an account (what !Sub with AWS::Region /
# AWS::AccountId yields): AWS creates and runs them.
for i, (action, params) in enumerate(list(OPTIMIZED.items())[::3]):
    region = ["us-east-1", "eu-west-1", "ap-southeast-2"][i % 3]
    name = action.replace(":", "-").replace(".", "-")
    asl(f"regional/{name}", machine({"Call": task(f"arn:aws:states:{region}:123456789012:{action}", Parameters=params)}))

# ---- SDK integrations ---------------------------------------------------------------------
SDK = {
    "s3:listObjectsV2": {"Bucket": "b", "Prefix.$": "$.prefix"},
    "s3:getObject": {"Bucket": "b", "Key.$": "$.key"},
    "s3:putObject": {"Bucket": "b", "Key": "k", "Body.$": "$"},
    "dynamodb:query": {"TableName": "Orders", "KeyConditionExpression": "pk = :pk", "ExpressionAttributeValues": {":pk": {"S.$": "$.pk"}}},
    "ec2:describeInstances": {},
    "secretsmanager:getSecretValue": {"SecretId": "app"},
    "ssm:getParameter": {"Name": "/app/config"},
    "sfn:listExecutions": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:M"},
    "cloudwatch:putMetricData": {"Namespace": "App", "MetricData": [{"MetricName": "Done", "Value": 1}]},
    "lambda:listFunctions": {},
}
for api, params in SDK.items():
    asl(f"sdk/{api.replace(':', '-')}", machine({"Call": task(f"arn:aws:states:::aws-sdk:{api}", Parameters=params)}))
    asl(f"regional/sdk-{api.replace(':', '-')}", machine({"Call": task(f"arn:aws:states:us-west-2:123456789012:aws-sdk:{api}", Parameters=params)}))
asl("sdk/sqs-sendMessage-waitForTaskToken", machine({"Call": task("arn:aws:states:::aws-sdk:sqs:sendMessage.waitForTaskToken", Parameters={"QueueUrl": "https://q", "MessageBody.$": "$$.Task.Token"})}))

# ---- state types and data flow, as the developer guide shows them --------------------------
CHOICE_OPS = [
    ("StringEquals", "ok"), ("StringEqualsPath", "$.other"), ("StringLessThan", "m"), ("StringGreaterThanEquals", "a"),
    ("StringMatches", "log-*.txt"), ("NumericEquals", 1), ("NumericLessThanPath", "$.limit"), ("NumericGreaterThan", 10),
    ("NumericLessThanEquals", 5.5), ("BooleanEquals", True), ("BooleanEqualsPath", "$.flag"), ("TimestampEquals", "2026-01-01T00:00:00Z"),
    ("TimestampLessThanPath", "$.deadline"), ("TimestampGreaterThan", "2026-01-01T00:00:00Z"), ("IsNull", False), ("IsPresent", True),
    ("IsNumeric", True), ("IsString", True), ("IsBoolean", False), ("IsTimestamp", True),
]
for op, value in CHOICE_OPS:
    asl(f"choice/{op}", machine({
        "Decide": {"Type": "Choice", "Choices": [{"Variable": "$.value", op: value, "Next": "Yes"}], "Default": "No"},
        "Yes": {"Type": "Succeed"},
        "No": {"Type": "Fail", "Error": "NoMatch", "Cause": "no rule matched"},
    }))
asl("choice/and-or-not", machine({
    "Decide": {"Type": "Choice", "Choices": [
        {"And": [{"Variable": "$.a", "IsPresent": True}, {"Not": {"Variable": "$.a", "StringEquals": "x"}}], "Next": "Yes"},
        {"Or": [{"Variable": "$.n", "NumericGreaterThan": 1}, {"Variable": "$.n", "NumericLessThan": -1}], "Next": "Yes"}],
        "Default": "Yes"},
    "Yes": {"Type": "Succeed"}}))
for field, value in [("Seconds", 10), ("Timestamp", "2026-03-14T01:59:00Z"), ("SecondsPath", "$.wait"), ("TimestampPath", "$.until")]:
    asl(f"wait/{field}", machine({"Wait": {"Type": "Wait", field: value, "Next": "Done"}, "Done": {"Type": "Succeed"}}))
asl("flow/parallel", machine({"Both": {"Type": "Parallel", "Branches": [
    machine({"A": {"Type": "Pass", "End": True}}), machine({"B": task(FN)})], "ResultPath": "$.both", "End": True}}))
asl("flow/map-inline", machine({"Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
    "ItemSelector": {"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
    "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Work", "States": {"Work": task(FN)}}, "End": True}}))
asl("flow/map-iterator-legacy", machine({"Each": {"Type": "Map", "ItemsPath": "$.items", "Parameters": {"v.$": "$$.Map.Item.Value"},
    "Iterator": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}}, "End": True}}))
asl("flow/map-distributed", machine({"Each": {"Type": "Map", "Label": "Orders", "MaxConcurrency": 100, "ToleratedFailurePercentage": 5,
    "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 1000}, "Parameters": {"Bucket": "b", "Key": "orders.csv"}},
    "ItemBatcher": {"MaxItemsPerBatch": 10},
    "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "out"}},
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "Work", "States": {"Work": task(FN)}}, "End": True}}))
asl("flow/map-distributed-list", machine({"Each": {"Type": "Map",
    "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "b", "Prefix": "in/"}},
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Work", "States": {"Work": task(FN)}}, "End": True}}))
asl("flow/retry-catch", machine({
    "Call": task(FN, end="Done", Retry=[{"ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"], "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2, "JitterStrategy": "FULL", "MaxDelaySeconds": 30},
                                       {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
                 Catch=[{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Failed"}, {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
                 TimeoutSeconds=30, HeartbeatSeconds=10),
    "Done": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}}))
asl("flow/pass-result", machine({"Seed": {"Type": "Pass", "Result": {"x": 1, "list": [1, 2]}, "ResultPath": "$.seed", "End": True}}))
asl("flow/result-selector", machine({"Call": task(FN, ResultSelector={"body.$": "$.Payload.body", "code.$": "$.StatusCode"}, ResultPath="$.result", OutputPath="$.result")}))
asl("flow/input-output-null", machine({"Call": task(FN, InputPath="$.order", ResultPath=None, OutputPath="$")}))
asl("flow/timeout-paths", machine({"Call": task("arn:aws:states:us-east-1:123456789012:activity:Review", TimeoutSecondsPath="$.timeout", HeartbeatSecondsPath="$.heartbeat")}))
asl("flow/activity", machine({"Call": task("arn:aws:states:us-east-1:123456789012:activity:Review", TimeoutSeconds=3600)}))
asl("flow/lambda-arn-qualified", machine({"Call": task(FN + ":live")}))
asl("flow/version-comment", machine({"A": {"Type": "Pass", "Comment": "first", "End": True}}, Comment="A machine", Version="1.0", TimeoutSeconds=600))
INTRINSICS = [
    "States.Format('Hello, {}!', $.name)", "States.StringToJson($.json)", "States.JsonToString($.obj)", "States.Array($.a, $.b, 3)",
    "States.ArrayPartition($.list, 2)", "States.ArrayContains($.list, $.x)", "States.ArrayRange(1, 9, 2)", "States.ArrayGetItem($.list, 0)",
    "States.ArrayLength($.list)", "States.ArrayUnique($.list)", "States.Base64Encode($.text)", "States.Base64Decode($.b64)",
    "States.Hash($.text, 'SHA-256')", "States.JsonMerge($.a, $.b, false)", "States.MathRandom(1, 100)", "States.MathAdd($.n, 1)",
    "States.StringSplit($.csv, ',')", "States.UUID()",
]
for i, call in enumerate(INTRINSICS):
    name = call.split("(")[0].split(".")[1]
    asl(f"intrinsics/{name}", machine({"Compute": {"Type": "Pass", "Parameters": {"out.$": call}, "End": True}}))
asl("jsonata/arguments-output", machine({"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
    "Arguments": {"FunctionName": FN, "Payload": "{% $states.input %}"}, "Output": "{% $states.result.Payload %}", "End": True}}, QueryLanguage="JSONata"))
asl("jsonata/choice-condition", machine({"Decide": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "Big"}], "Default": "Big"},
    "Big": {"Type": "Succeed"}}, QueryLanguage="JSONata"))
asl("jsonata/map-items", machine({"Each": {"Type": "Map", "Items": "{% $states.input.list %}", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}, QueryLanguage="JSONata"))
asl("variables/assign", machine({"Set": {"Type": "Pass", "Assign": {"orderId.$": "$.id", "count": 0}, "Next": "Use"},
    "Use": {"Type": "Pass", "Parameters": {"id.$": "$orderId"}, "End": True}}))
asl("variables/choice-variable", machine({"Set": {"Type": "Pass", "Assign": {"limit": 5}, "Next": "Decide"},
    "Decide": {"Type": "Choice", "Choices": [{"Variable": "$limit", "NumericGreaterThan": 1, "Next": "Done"}], "Default": "Done"},
    "Done": {"Type": "Succeed"}}))

# ---- whitespace around paths: AWS trims (Jayway) and evaluates them ------------------------
PADDED = [
    ("parameters-context", {"Call": task(FN, Parameters={"name.$": "$$.Execution.Name ", "input.$": " $"})}),
    ("input-path", {"A": {"Type": "Pass", "InputPath": "$.order ", "End": True}}),
    ("output-path", {"A": {"Type": "Pass", "OutputPath": " $.order", "End": True}}),
    ("result-path", {"A": {"Type": "Pass", "Result": 1, "ResultPath": "$.n ", "End": True}}),
    ("items-path", {"M": {"Type": "Map", "ItemsPath": "$.items ", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}),
    ("choice-variable", {"C": {"Type": "Choice", "Choices": [{"Variable": "$.kind ", "StringEquals": "a", "Next": "D"}], "Default": "D"}, "D": {"Type": "Succeed"}}),
    ("seconds-path", {"W": {"Type": "Wait", "SecondsPath": "$.wait ", "End": True}}),
    ("timestamp-path", {"W": {"Type": "Wait", "TimestampPath": " $.until ", "End": True}}),
    ("result-selector", {"Call": task(FN, ResultSelector={"p.$": "$.Payload "})}),
    ("catch-result-path", {"Call": task(FN, end="D", Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err ", "Next": "D"}]), "D": {"Type": "Succeed"}}),
    ("fail-paths", {"F": {"Type": "Fail", "ErrorPath": "$.e ", "CausePath": "$.c "}}),
    ("item-selector", {"M": {"Type": "Map", "ItemSelector": {"v.$": "$$.Map.Item.Value "}, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}),
]
for name, states in PADDED:
    asl(f"whitespace/{name}", machine(states))

# ---- filters with an unquoted word operand (accepted by AWS; ASL007 warns) -----------------
for name, path in [("eq", "$.items[?(@.type==es)]"), ("spaced", "$.items[?(@.lang == en)].text"), ("ne", "$.items[?(@.status != done)]"),
                   ("and", "$.items[?(@.type == book && @.price < 10)]"), ("input-path", "$.records[?(@.kind==order)]")]:
    field = "InputPath" if name == "input-path" else None
    state = {"Type": "Pass", "End": True}
    if field:
        state[field] = path
    else:
        state["Parameters"] = {"selected.$": path}
    asl(f"filters/{name}", machine({"Select": state}))

# ---- templates -------------------------------------------------------------------------
SIMPLE = json.dumps(machine({"Hello": {"Type": "Pass", "Result": "Hello", "Next": "Call"}, "Call": task("${FunctionArn}")}), indent=2)


def yaml_template(rel, body, params=""):
    write(f"clean/templates/{rel}.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n" + params + body)


def sm(name, definition_yaml, extra=""):
    return f"""  {name}:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
{extra}      Definition:
{definition_yaml}"""


def indent(text, n):
    return "\n".join((" " * n + l) if l else l for l in text.splitlines()) + "\n"


ROLE_RES = """  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: states.amazonaws.com}, Action: 'sts:AssumeRole'}]}
"""
PARAMS = """Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  WaitSeconds:
    Type: Number
    Default: 30
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [!Ref 'AWS::Region', us-east-1]]
  Either: !Or [!Condition IsProd, !Condition NotProd]
Mappings:
  EnvMap:
    dev: {Timeout: 60, Topic: dev-topic}
    prod: {Timeout: 300, Topic: prod-topic}
"""
# Each short-form intrinsic, in a scalar, a sequence and a mapping position.
SHORT_FORMS = {
    "sub": "Resource: !Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:work-${Env}",
    "sub-list": "Resource: !Sub\n  - arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Name}\n  - Name: !Ref Env",
    "getatt": "Resource: !GetAtt Worker.Arn",
    "getatt-list": "Resource: !GetAtt [Worker, Arn]",
    "ref": "Resource: !Ref WorkerArn",
    "if": "Resource: !If [IsProd, !GetAtt Worker.Arn, !Sub 'arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:dev']",
    "join": "Resource: !Join [':', [arn, !Ref 'AWS::Partition', lambda, !Ref 'AWS::Region', !Ref 'AWS::AccountId', function, work]]",
    "select": "Resource: !Select [0, [!GetAtt Worker.Arn, other]]",
    "findinmap": "Resource: !GetAtt Worker.Arn\nTimeoutSeconds: !FindInMap [EnvMap, !Ref Env, Timeout]",
    "base64": "Resource: !GetAtt Worker.Arn\nParameters:\n  Blob: !Base64 hello",
    "split": "Resource: !GetAtt Worker.Arn\nParameters:\n  Parts: !Split [',', 'a,b,c']",
    "importvalue": "Resource: !ImportValue shared-worker-arn",
    "getazs": "Resource: !GetAtt Worker.Arn\nParameters:\n  Zones: !GetAZs ''\n  First: !Select [0, !GetAZs {Ref: 'AWS::Region'}]",
    "cidr": "Resource: !GetAtt Worker.Arn\nParameters:\n  Blocks: !Cidr [10.0.0.0/16, 4, 8]",
    "equals-condition": "Resource: !If [Both, !GetAtt Worker.Arn, !If [Either, !Ref WorkerArn, !ImportValue w]]",
    "transform": "Resource: !GetAtt Worker.Arn\nParameters:\n  Fn::Transform:\n    Name: AWS::Include\n    Parameters: {Location: 's3://bucket/params.yaml'}",
    "mapping-position": "Resource: !GetAtt Worker.Arn\nParameters: !If\n  - IsProd\n  - {Mode: prod, Size: 10}\n  - {Mode: dev, Size: 1}",
    "sequence-position": "Resource: !GetAtt Worker.Arn\nRetry: !If\n  - IsProd\n  - [{ErrorEquals: [States.ALL], MaxAttempts: 3}]\n  - [{ErrorEquals: [States.ALL], MaxAttempts: 1}]",
    "timeout-ref": "Resource: !GetAtt Worker.Arn\nTimeoutSeconds: !Ref WaitSeconds\nHeartbeatSeconds: !FindInMap [EnvMap, dev, Timeout]",
}
WORKER = """  Worker:
    Type: AWS::Lambda::Function
    Properties: {Handler: index.handler, Runtime: python3.12, Role: !GetAtt Role.Arn, Code: {ZipFile: 'def handler(e, c): return e'}}
"""
for name, task_yaml in SHORT_FORMS.items():
    definition = "StartAt: Call\nStates:\n  Call:\n    Type: Task\n" + indent(task_yaml, 4) + "    End: true\n"
    params = PARAMS.replace("Conditions:", "  WorkerArn:\n    Type: String\n    Default: arn:aws:lambda:us-east-1:123456789012:function:w\nConditions:")
    body = "Resources:\n" + ROLE_RES + WORKER + sm("Machine", indent(definition, 8))
    yaml_template(f"short-forms/{name}", body, params)

# DefinitionString as a !Sub literal block, as many AWS samples write it.
yaml_template("definition-string/sub-block", "Resources:\n" + ROLE_RES + """  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      DefinitionString: !Sub |
        {
          "StartAt": "Call",
          "States": {
            "Call": {"Type": "Task", "Resource": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:aws-sdk:s3:listObjectsV2",
                     "Parameters": {"Bucket": "${Bucket}"}, "End": true}
          }
        }
""", "Parameters:\n  Bucket: {Type: String, Default: data}\n")
yaml_template("definition-string/sub-optimized-regional", "Resources:\n" + ROLE_RES + """  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      DefinitionString: !Sub
        - |
          {"StartAt": "Query", "States": {"Query": {"Type": "Task",
            "Resource": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:athena:startQueryExecution.sync",
            "Parameters": {"QueryString": "SELECT 1", "WorkGroup": "${Group}"}, "End": true}}}
        - Group: primary
""")
# DefinitionSubstitutions placeholders in number and boolean fields.
yaml_template("substitutions/numbers-yaml", "Resources:\n" + ROLE_RES + """  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      DefinitionSubstitutions:
        WaitSeconds: !Ref WaitSeconds
        Max: 10
        Tolerated: 5
        Timeout: !FindInMap [EnvMap, !Ref Env, Timeout]
        Enabled: true
      Definition:
        StartAt: Wait
        States:
          Wait: {Type: Wait, Seconds: '${WaitSeconds}', Next: Each}
          Each:
            Type: Map
            MaxConcurrency: ${Max}
            ToleratedFailurePercentage: ${Tolerated}
            ItemReader:
              Resource: arn:aws:states:::s3:getObject
              ReaderConfig: {InputType: JSON, MaxItems: '${Max}'}
              Parameters: {Bucket: b, Key: k}
            ItemProcessor:
              ProcessorConfig: {Mode: DISTRIBUTED, ExecutionType: EXPRESS}
              StartAt: Work
              States:
                Work: {Type: Task, Resource: arn:aws:states:::lambda:invoke, TimeoutSeconds: '${Timeout}', End: '${Enabled}', Parameters: {FunctionName: f}}
            End: true
""", PARAMS)
write("clean/templates/substitutions/numbers-json.json", json.dumps({"Parameters": {"Wait": {"Type": "Number", "Default": 3}},
    "Resources": {"Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"RoleArn": ROLE,
        "DefinitionString": "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":${Wait},\"Next\":\"T\"},\"T\":{\"Type\":\"Task\",\"Resource\":\"${Fn}\",\"TimeoutSeconds\":${Timeout},\"HeartbeatSeconds\":\"${Beat}\",\"End\":true}}}",
        "DefinitionSubstitutions": {"Wait": {"Ref": "Wait"}, "Fn": {"Fn::GetAtt": ["F", "Arn"]}, "Timeout": {"Fn::GetAtt": ["Cfg", "Timeout"]}, "Beat": 5}}}}}, indent=2))
# Flow collections indented less than their key, as PyYAML (and CloudFormation) accept.
yaml_template("flow-indent/retry", "Resources:\n" + ROLE_RES + """  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {FunctionName: work,
              Payload.$: $}
            Retry: [ {ErrorEquals: [ "States.TaskFailed",
          "States.Timeout" ], MaxAttempts: 2} ]
            End: true
""")
yaml_template("flow-indent/choices", "Resources:\n" + ROLE_RES + """  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      Definition:
        StartAt: Decide
        States:
          Decide:
            Type: Choice
            Choices: [
      {Variable: $.kind, StringEquals: a, Next: A},
      {Variable: $.kind, StringEquals: b, Next: B}
    ]
            Default: A
          A: {Type: Succeed}
          B: {
   Type: Fail, Error: B, Cause: "chose
     b"}
""")
yaml_template("flow-indent/join", "Resources:\n" + ROLE_RES + """  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      DefinitionString: !Join ['', [
  '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "',
  !GetAtt Worker.Arn,
  '", "End": true}}}']]
""")
yaml_template("yaml11/booleans", "Resources:\n" + ROLE_RES + """  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      Definition:
        StartAt: A
        States:
          A: {Type: Pass, Result: {enabled: yes, legacy: off}, Next: B}
          B: {Type: Pass, End: yes}
""")
# SAM: Definition, DefinitionUri (a local file), DefinitionSubstitutions.
write("clean/templates/sam/statemachine/order.asl.json", json.dumps(machine({"Check": task("${CheckFunctionArn}", end="Store"),
    "Store": task("arn:${AWS::Partition}:states:::dynamodb:putItem", Parameters={"TableName": "${TableName}", "Item": {"id": {"S.$": "$.id"}}})}), indent=2))
write("clean/templates/sam/definition-uri.yaml", """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  OrderMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/order.asl.json
      DefinitionSubstitutions:
        CheckFunctionArn: !GetAtt CheckFunction.Arn
        TableName: !Ref OrdersTable
      Policies: [AWSLambdaRole]
""")
# A DefinitionUri file with placeholders in number and boolean fields.
write("clean/templates/sam/statemachine/batch.asl.json", json.dumps(machine({
    "Wait": {"Type": "Wait", "Seconds": "${WaitSeconds}", "Next": "Each"},
    "Each": {"Type": "Map", "MaxConcurrency": "${Max}", "ItemsPath": "$.items",
             "ItemProcessor": {"StartAt": "Work", "States": {"Work": task("${WorkFunctionArn}", TimeoutSeconds="${Timeout}")}}, "End": True}}), indent=2))
write("clean/templates/sam/definition-uri-numbers.yaml", """Transform: AWS::Serverless-2016-10-31
Parameters:
  Max: {Type: Number, Default: 8}
Resources:
  BatchMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/batch.asl.json
      DefinitionSubstitutions:
        WaitSeconds: 5
        Max: !Ref Max
        WorkFunctionArn: !GetAtt Work.Arn
        Timeout: 30
""")
write("clean/templates/sam/definition-inline.yaml", """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12}
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      Definition:
        StartAt: Publish
        States:
          Publish:
            Type: Task
            Resource: arn:aws:states:::sns:publish
            Parameters:
              TopicArn: !Ref Topic
              Message.$: $
            End: true
      Events:
        Schedule: {Type: Schedule, Properties: {Schedule: rate(1 hour)}}
""")
write("clean/templates/sam/substitutions-numbers.yaml", """Transform: AWS::Serverless-2016-10-31
Parameters:
  Max: {Type: Number, Default: 4}
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionSubstitutions: {Max: !Ref Max, Wait: 2}
      Definition:
        StartAt: W
        States:
          W: {Type: Wait, Seconds: '${Wait}', Next: M}
          M:
            Type: Map
            MaxConcurrency: ${Max}
            ItemProcessor: {StartAt: P, States: {P: {Type: Pass, End: true}}}
            End: true
""")
write("clean/templates/sam/definition-json.json", json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": {"M": {"Type": "AWS::Serverless::StateMachine",
    "Properties": {"Definition": machine({"Call": task({"Fn::GetAtt": ["Fn", "Arn"]}, TimeoutSeconds={"Ref": "Timeout"})}), "Policies": []}}}}, indent=2))
# Nested stacks: a parent that nests two children, each with its kind of state machine.
write("clean/templates/nested/parent.yaml", """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Workflows:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./child-stepfunctions.yaml
      Parameters: {Env: dev}
  ServerlessWorkflows:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./child-serverless.yaml
  Local:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Workflows.Outputs.RoleArn
      Definition:
        StartAt: Start
        States:
          Start:
            Type: Task
            Resource: arn:aws:states:::states:startExecution.sync:2
            Parameters: {StateMachineArn: !GetAtt Workflows.Outputs.MachineArn, Input.$: $}
            End: true
""")
write("clean/templates/nested/child-stepfunctions.yaml", """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String}
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/r
      StateMachineName: !Sub orders-${Env}
      DefinitionString: !Sub '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}'
Outputs:
  MachineArn: {Value: !Ref Machine}
  RoleArn: {Value: arn:aws:iam::123456789012:role/r}
""")
write("clean/templates/nested/child-serverless.yaml", """Transform: AWS::Serverless-2016-10-31
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Q
        States:
          Q: {Type: Task, Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: {QueueUrl: !Ref Queue, MessageBody.$: $}, End: true}
""")
# CDK synth output: DefinitionString as Fn::Join of literal pieces, Refs and GetAtts.
for i, (resource_parts, extra) in enumerate([
    (["arn:", {"Ref": "AWS::Partition"}, ":states:::lambda:invoke"], ',"Parameters":{"FunctionName":"'),
    (["arn:", {"Ref": "AWS::Partition"}, ":states:::sqs:sendMessage.waitForTaskToken"], ',"Parameters":{"QueueUrl":"'),
    (["arn:", {"Ref": "AWS::Partition"}, ":states:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":aws-sdk:s3:listObjectsV2"], ',"Parameters":{"Bucket":"'),
    (["arn:", {"Ref": "AWS::Partition"}, ":states:::dynamodb:getItem"], ',"Parameters":{"TableName":"'),
    (["arn:", {"Ref": "AWS::Partition"}, ":states:::states:startExecution.sync:2"], ',"Parameters":{"StateMachineArn":"'),
]):
    pieces = ['{"StartAt":"Step","States":{"Step":{"Next":"Done","Type":"Task","Resource":"'] + resource_parts + [
        '"' + extra, {"Fn::GetAtt": ["Target", "Arn"]}, '"}},"Done":{"Type":"Succeed"}}}']
    tpl = {"Resources": {f"StateMachine2E01A3A5": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "DefinitionString": {"Fn::Join": ["", pieces]}, "RoleArn": {"Fn::GetAtt": ["StateMachineRoleB840431D", "Arn"]}},
        "DependsOn": ["StateMachineRoleB840431D"], "UpdateReplacePolicy": "Delete", "DeletionPolicy": "Delete",
        "Metadata": {"aws:cdk:path": f"Stack{i}/StateMachine/Resource"}}}}
    write(f"clean/templates/cdk/Stack{i}.template.json", json.dumps(tpl, indent=1))
write("clean/templates/cdk/definition-object.template.json", json.dumps({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
    "Definition": machine({"Each": {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P", "States": {"P": {"Type": "Task",
        "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":states:::lambda:invoke"]]}, "Parameters": {"FunctionName": {"Fn::GetAtt": ["F", "Arn"]}, "Payload.$": "$"}, "End": True}}}, "End": True}}),
    "RoleArn": {"Fn::GetAtt": ["R", "Arn"]}}}}}, indent=1))
write("clean/templates/json/long-forms.json", json.dumps({"Parameters": {"Env": {"Type": "String", "Default": "dev"}},
    "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
    "Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"RoleArn": ROLE,
        "Definition": machine({"Call": task({"Fn::If": ["IsProd", {"Fn::GetAtt": ["F", "Arn"]}, {"Fn::Sub": "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:dev"}]},
            Parameters={"Zones": {"Fn::GetAZs": ""}, "Parts": {"Fn::Split": [",", "a,b"]}, "Blob": {"Fn::Base64": "x"}, "Imported": {"Fn::ImportValue": "x"},
                        "Picked": {"Fn::Select": [0, ["a", "b"]]}, "Mapped": {"Fn::FindInMap": ["M", "K", "V"]}, "Blocks": {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}})})}}}}, indent=2))
write("clean/templates/json/definition-string-sub.json", json.dumps({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"RoleArn": ROLE,
    "DefinitionString": {"Fn::Sub": json.dumps(machine({"Call": task("arn:aws:states:${AWS::Region}:${AWS::AccountId}:aws-sdk:ec2:describeInstances", Parameters={})}))}}}}}, indent=2))

# ---- refused: AWS refuses each one, with the code asl-validate must report -------------------
def refused(code, name, d, ext="asl.json"):
    write(f"refused/{code}/{name}.{ext}", json.dumps(d, indent=2) if not isinstance(d, str) else d)

refused("INVALID_RESOURCE", "unclosed-placeholder", machine({"Call": task("${lambdaArn")}))
refused("INVALID_RESOURCE", "unclosed-placeholder-in-arn", machine({"Call": task("arn:aws:lambda:us-east-1:123456789012:function:${Name")}))
refused("INVALID_RESOURCE", "regional-bad-pattern", machine({"Call": task("arn:aws:states:us-east-1:123456789012:lambda:invoke.sync")}))
refused("INVALID_RESOURCE", "regional-sdk-sync", machine({"Call": task("arn:aws:states:us-east-1:123456789012:aws-sdk:s3:listBuckets.sync")}))
refused("INVALID_RESOURCE", "unknown-service", machine({"Call": task("arn:aws:states:::s3:getObject")}))
refused("INVALID_RESOURCE", "placeholder-partition-bad-pattern", machine({"Call": task("arn:${AWS::Partition}:states:::lambda:invoke.sync")}))
refused("INVALID_RESOURCE", "typo", machine({"Call": task("arn:aws:states:::lambda:invok")}))
refused("SCHEMA_VALIDATION_FAILED", "result-path-variable", machine({"Call": task(FN, ResultPath="$foo")}))
refused("SCHEMA_VALIDATION_FAILED", "result-path-context", machine({"A": {"Type": "Pass", "ResultPath": "$$.Execution", "End": True}}))
refused("SCHEMA_VALIDATION_FAILED", "catch-result-path-variable", machine({"Call": task(FN, end="D", Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$err", "Next": "D"}]), "D": {"Type": "Succeed"}}))
refused("SCHEMA_VALIDATION_FAILED", "blank-inside-path", machine({"A": {"Type": "Pass", "InputPath": "$.a b", "End": True}}))
refused("SCHEMA_VALIDATION_FAILED", "unknown-field", machine({"A": {"Type": "Pass", "Resource": "x", "End": True}}))
refused("SCHEMA_VALIDATION_FAILED", "wait-string-seconds", machine({"W": {"Type": "Wait", "Seconds": "ten", "End": True}}))
refused("SCHEMA_VALIDATION_FAILED", "states-all-not-last", machine({"Call": task(FN, Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}])}))
refused("MISSING_TRANSITION_TARGET", "next-typo", machine({"A": {"Type": "Pass", "Next": "Bee"}, "B": {"Type": "Succeed"}}))
refused("MISSING_END_STATE", "loop", machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}))
refused("DUPLICATE_STATE_NAME", "branch-reuses-name", machine({"P": {"Type": "Parallel", "Branches": [machine({"P": {"Type": "Pass", "End": True}})], "End": True}}))
refused("INVALID_STATE_NAME", "too-long", machine({"A" * 81: {"Type": "Succeed"}}))
refused("INVALID_JSON_DESCRIPTION", "trailing-comma", '{"StartAt": "A", "States": {"A": {"Type": "Succeed"},}}')
refused("INVALID_LABEL_NAME", "label-blank", machine({"M": {"Type": "Map", "Label": "my label", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}))
refused("SCHEMA_VALIDATION_FAILED", "template-substituted-negative", """Parameters:
  Max: {Type: Number, Default: -1}
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions: {Max: !Ref Max}
      Definition:
        StartAt: M
        States:
          M: {Type: Map, MaxConcurrency: '${Max}', ItemProcessor: {StartAt: P, States: {P: {Type: Pass, End: true}}}, End: true}
""", "yaml")
# Substitution happens first: a bare placeholder replaced by a word leaves text that is no JSON.
refused("INVALID_JSON_DESCRIPTION", "template-substituted-bare-word", """Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions: {Wait: soon}
      DefinitionString: '{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": ${Wait}, "End": true}}}'
""", "yaml")
refused("SCHEMA_VALIDATION_FAILED", "template-substituted-word", """Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions: {Wait: soon}
      Definition:
        StartAt: W
        States:
          W: {Type: Wait, Seconds: '${Wait}', End: true}
""", "yaml")
refused("INVALID_RESOURCE", "template-unclosed", """Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: Call
        States:
          Call: {Type: Task, Resource: '${lambdaArn', End: true}
""", "yaml")
refused("MISSING_TRANSITION_TARGET", "template-flow-indent", """Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A: {Type: Pass,
     Next: Missing}
""", "yaml")
