using Cascade.Hosting.Security;
using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cascade.Serving.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Serving.Rest;

/// <summary>
/// The Open Inference Protocol v2 over HTTP/REST (KServe's and Triton's <c>/v2</c> routes, JSON tensors), on the
/// host's HTTP endpoint beside the gRPC binding (<see cref="Grpc.InferenceGrpcService"/>): the same checks and the
/// same prediction (<see cref="OpenInference"/>), so both answer the same float32 values, and every answer is logged.
/// Errors are <c>{"error": "..."}</c> saying what to fix: 400 for a bad request, 404 for a model or version not served.
/// </summary>
public static class OpenInferenceRest
{
    // Messages quote names ('model'): the default encoder would write \u0027, needed only inside HTML, never in an application/json body.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Maps <c>/v2</c>, <c>/v2/health/{live,ready}</c> and <c>/v2/models/{name}[/versions/{version}][/ready|/infer]</c>.</summary>
    public static IEndpointRouteBuilder MapOpenInferenceRest(this IEndpointRouteBuilder endpoints)
    {
        var v2 = endpoints.MapGroup("/v2");
        const string Inference = "inference.GRPCInferenceService/";
        // Each route is authorized as the gRPC method it stands for (one table: Cascade.Hosting.Security.AccessRules); health stays open.
        v2.MapGet("", ServerMetadata).RequireCascadeAccess(Inference + "ServerMetadata");
        v2.MapGet("/health/live", ServerLive);
        v2.MapGet("/health/ready", ServerReady);
        foreach (var model in new[] { "/models/{name}", "/models/{name}/versions/{version}" })
        {
            v2.MapGet(model, ModelMetadata).RequireCascadeAccess(Inference + "ModelMetadata", "name");
            v2.MapGet(model + "/ready", ModelReady).RequireCascadeAccess(Inference + "ModelReady", "name");
            v2.MapPost(model + "/infer", InferAsync).RequireCascadeAccess(Inference + "ModelInfer", "name");
        }
        return endpoints;
    }

    private static Task ServerLive(HttpContext context) => WriteAsync(context, StatusCodes.Status200OK, true, static (json, live) => json.WriteBoolean("live", live));

    /// <summary>200 when a model is served, else 503 (what a Kubernetes readiness probe reads), with <c>{"ready": bool}</c>.</summary>
    private static Task ServerReady(HttpContext context)
    {
        var ready = Inference(context).IsServerReady;
        return WriteAsync(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, ready, static (json, ready) => json.WriteBoolean("ready", ready));
    }

    private static Task ServerMetadata(HttpContext context) => WriteAsync(context, StatusCodes.Status200OK, OpenInference.Server, static (json, server) =>
    {
        json.WriteString("name", server.Name);
        json.WriteString("version", server.Version);
        json.WriteStartArray("extensions");
        foreach (var extension in server.Extensions) json.WriteStringValue(extension);
        json.WriteEndArray();
    });

    private static Task ModelMetadata(HttpContext context)
    {
        ModelDescription model;
        try
        {
            model = OpenInference.Describe(Resolve(context));
        }
        catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException)
        {
            return WriteErrorAsync(context, ex);
        }
        return WriteAsync(context, StatusCodes.Status200OK, model, static (json, model) =>
        {
            json.WriteString("name", model.Name);
            json.WriteStartArray("versions");
            json.WriteStringValue(model.Version);
            json.WriteEndArray();
            json.WriteString("platform", model.Platform);
            WriteTensors(json, "inputs", model.Input);
            WriteTensors(json, "outputs", model.Output);
        });
    }

    /// <summary>200 with <c>{"name", "ready": true}</c> when the model (in that version) answers; else 404 (or 400 for a version that is not a number).</summary>
    private static Task ModelReady(HttpContext context)
    {
        ServedModel served;
        try
        {
            served = Resolve(context);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException)
        {
            return WriteErrorAsync(context, ex);
        }
        return WriteAsync(context, StatusCodes.Status200OK, served.Name, static (json, name) =>
        {
            json.WriteString("name", name);
            json.WriteBoolean("ready", true);
        });
    }

    private static async Task InferAsync(HttpContext context)
    {
        if (context.Request.Headers.ContainsKey("Inference-Header-Content-Length"))
        {
            await WriteErrorAsync(context, new ArgumentException("Binary tensor data (Triton's extension) is not supported: send the tensors as JSON (tritonclient: binary_data=False)."));
            return;
        }
        var body = context.Request.BodyReader;
        var read = await ReadToEndAsync(body, context.RequestAborted);
        (InferenceResult Result, string Id) answer;
        try
        {
            answer = Infer(context, read.Buffer);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException)
        {
            body.AdvanceTo(read.Buffer.End);
            await WriteErrorAsync(context, ex);
            return;
        }
        body.AdvanceTo(read.Buffer.End);
        await WriteAsync(context, StatusCodes.Status200OK, answer, static (json, answer) =>
        {
            var (result, id) = answer;
            json.WriteString("model_name", result.Served.Name);
            json.WriteString("model_version", result.Served.Version.ToString());
            json.WriteString("id", id);
            json.WriteStartArray("outputs");
            json.WriteStartObject();
            json.WriteString("name", OpenInference.OutputNameOf(result.Served));
            WriteShape(json, result.Shape);
            json.WriteString("datatype", "FP32");
            json.WriteStartArray("data");
            foreach (var value in result.Outputs)
            {
                // Utf8JsonWriter writes a float32 as its shortest round-trip text: parsed as float32 it is the same bits.
                if (float.IsFinite(value)) json.WriteNumberValue(value);
                else json.WriteNullValue();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
        });
    }

    private static (InferenceResult Result, string Id) Infer(HttpContext context, ReadOnlySequence<byte> body)
    {
        var served = Resolve(context);
        var request = InferenceRequestJson.Parse(body);
        var input = request.Inputs.Count > 0 ? request.Inputs[0] : null;
        var rows = OpenInference.Rows(served, request.Inputs.Count, input?.Shape ?? []);
        OpenInference.CheckRequestedOutputs(served, request.RequestedOutputs);
        return (Inference(context).Infer(served, CollectionsMarshal.AsSpan(input!.Values), rows, request.Id, request.Segment), request.Id);
    }

    private static async ValueTask<ReadResult> ReadToEndAsync(PipeReader body, CancellationToken cancellationToken)
    {
        // Kestrel's MaxRequestBodySize (30 MB by default) bounds what is buffered here.
        while (true)
        {
            var read = await body.ReadAsync(cancellationToken);
            if (read.IsCompleted || read.IsCanceled) return read;
            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static OpenInference Inference(HttpContext context) => context.RequestServices.GetRequiredService<OpenInference>();

    private static ServedModel Resolve(HttpContext context) =>
        Inference(context).Resolve((string)context.Request.RouteValues["name"]!, context.Request.RouteValues["version"] as string ?? string.Empty);

    private static void WriteTensors(Utf8JsonWriter json, string property, TensorDescription tensor)
    {
        json.WriteStartArray(property);
        json.WriteStartObject();
        json.WriteString("name", tensor.Name);
        json.WriteString("datatype", tensor.Datatype);
        WriteShape(json, tensor.Shape);
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WriteShape(Utf8JsonWriter json, long[] shape)
    {
        json.WriteStartArray("shape");
        foreach (var dimension in shape) json.WriteNumberValue(dimension);
        json.WriteEndArray();
    }

    private static Task WriteErrorAsync(HttpContext context, Exception error) =>
        WriteAsync(context, error is KeyNotFoundException ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, error.Message, static (json, message) => json.WriteString("error", message));

    /// <summary>Writes one JSON object, with its length (the body is buffered: answers are small next to their requests).</summary>
    private static Task WriteAsync<T>(HttpContext context, int status, T state, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            write(json, state);
            json.WriteEndObject();
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }
}
