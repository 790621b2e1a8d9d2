using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cascade.Hosting.Tests;

/// <summary>Cascade's own APIs as REST on the HTTP port (JSON transcoding of the protos' <c>google.api.http</c> routes).</summary>
public class RestTranscodingTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task A_dataset_registered_over_rest_takes_records_and_labels_over_rest()
    {
        var spec = new
        {
            name = "rest-sensors", entityColumn = "device", eventTimeColumn = "ts", labelColumn = "failed",
            columns = new object[] { new { name = "temperature", type = "VALUE_TYPE_FLOAT64", required = true } },
        };
        var registered = await host.Http.PutAsJsonAsync("/v1/datasets/rest-sensors", spec);
        registered.StatusCode.Should().Be(HttpStatusCode.OK, await registered.Content.ReadAsStringAsync());

        var dataset = await Json(await host.Http.GetAsync("/v1/datasets/rest-sensors"));
        dataset.GetProperty("spec").GetProperty("entityColumn").GetString().Should().Be("device");

        var batch = new
        {
            records = new object[]
            {
                new { recordId = "r1", entityId = "d1", eventTime = "2026-12-06T08:00:00Z", values = new { temperature = new { float64Value = 21.5 } } },
                new { recordId = "r2", entityId = "d2", eventTime = "2026-12-06T08:00:01Z", values = new { temperature = new { stringValue = "hot" } } },
            },
        };
        var ingested = await Json(await host.Http.PostAsJsonAsync("/v1/datasets/rest-sensors/records", batch));
        ingested.GetProperty("accepted").GetInt64().Should().Be(1);
        ingested.GetProperty("errors")[0].GetProperty("field").GetString().Should().Be("temperature");

        var labels = await host.Http.PostAsJsonAsync("/v1/labels", new { labels = new object[] { new { model = "rest-model", entityId = "d1", eventTime = "2026-12-06T08:00:00Z", value = 1.0 } } });
        labels.StatusCode.Should().Be(HttpStatusCode.OK, await labels.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Lists_answer_200_with_json()
    {
        foreach (var path in new[] { "/v1/models", "/v1/jobs", "/v1/alerts?limit=10", "/v1/feature-views", "/v1/training-policies", "/v1/serving" })
        {
            var response = await host.Http.GetAsync(path);
            response.StatusCode.Should().Be(HttpStatusCode.OK, path);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/json", path);
        }
    }

    [Fact]
    public async Task Errors_are_http_statuses_with_the_grpc_message()
    {
        var missing = await host.Http.GetAsync("/v1/models/nobody/versions/3");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Json(missing)).GetProperty("message").GetString().Should().Contain("nobody");

        var predict = await host.Http.PostAsJsonAsync("/v1/models/nobody:predict", new { features = new { values = new[] { 1.0 } } });
        predict.StatusCode.Should().Be(HttpStatusCode.NotFound);

        var anonymous = await host.Http.PostAsJsonAsync("/v1/alerts/some-alert:acknowledge", new { });
        anonymous.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(anonymous)).GetProperty("message").GetString().Should().Contain("actor is required");

        // Alert ids hold '/', sent as %2F in the one path segment: the service sees the decoded id.
        var encoded = await host.Http.PostAsJsonAsync($"/v1/alerts/{Uri.EscapeDataString("nobody/v1/feature_drift@5/warning")}:acknowledge", new { actor = "ops" });
        encoded.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Json(encoded)).GetProperty("message").GetString().Should().Contain("No alert 'nobody/v1/feature_drift@5/warning'");

        var cancel = await host.Http.PostAsJsonAsync("/v1/jobs/no-such-job:cancel", new { });
        cancel.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_that_says_so()
    {
        var response = await host.Http.PostAsync("/v1/labels", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement;
    }
}
