using Cascade.Contracts.Training.V1;
using Cascade.Grpc;

namespace Cascade.Training.Grpc;

/// <summary>Method descriptors of <c>cascade.training.v1.Training</c>.</summary>
public static class TrainingMethods
{
    public const string ServiceName = "cascade.training.v1.Training";

    public static readonly Method<PutTrainingPolicyRequest, TrainingPolicy> PutTrainingPolicy = new(MethodType.Unary, ServiceName, "PutTrainingPolicy", PutTrainingPolicyRequest.Parser, TrainingPolicy.Parser);
    public static readonly Method<GetTrainingPolicyRequest, TrainingPolicy> GetTrainingPolicy = new(MethodType.Unary, ServiceName, "GetTrainingPolicy", GetTrainingPolicyRequest.Parser, TrainingPolicy.Parser);
    public static readonly Method<ListTrainingPoliciesRequest, ListTrainingPoliciesResponse> ListTrainingPolicies = new(MethodType.Unary, ServiceName, "ListTrainingPolicies", ListTrainingPoliciesRequest.Parser, ListTrainingPoliciesResponse.Parser);
    public static readonly Method<TriggerTrainingRequest, TrainingJob> TriggerTraining = new(MethodType.Unary, ServiceName, "TriggerTraining", TriggerTrainingRequest.Parser, TrainingJob.Parser);
    public static readonly Method<GetJobRequest, TrainingJob> GetJob = new(MethodType.Unary, ServiceName, "GetJob", GetJobRequest.Parser, TrainingJob.Parser);
    public static readonly Method<CancelJobRequest, TrainingJob> CancelJob = new(MethodType.Unary, ServiceName, "CancelJob", CancelJobRequest.Parser, TrainingJob.Parser);
    public static readonly Method<ListJobsRequest, ListJobsResponse> ListJobs = new(MethodType.Unary, ServiceName, "ListJobs", ListJobsRequest.Parser, ListJobsResponse.Parser);
}
