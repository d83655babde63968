using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Grains.Tools;
using AiAgent.Grains.Tools.Http;
using AiAgent.Grains.Tools.Mcp;
using AiAgent.Grains.Webhooks;

namespace AiAgent.Tools.Tests;

/// <summary>How the tools' and webhook's YAML reaches the options: the schema map as JSON, and the keys the unknown-key check accepts.</summary>
public sealed class ToolConfigurationTests
{
    private static readonly ConfigurationSchema s_schema = new ConfigurationSchema().AddHttpToolKeys().AddMcpToolKeys().AddWebhookKeys();

    [Fact]
    public void A_parameters_map_becomes_JSON_with_numbers_booleans_and_enum_values_typed_by_their_keyword()
    {
        var config = TestConfig.FromYaml("""
            parameters:
              type: object
              additionalProperties: false
              properties:
                count: { type: integer, minimum: 1, maximum: 10, enum: [1, 2, 5] }
                ratio: { type: number, exclusiveMinimum: 0.5, default: 1.5 }
                code: { type: string, enum: ["1", "2"], maxLength: 8, pattern: "^[0-9]+$" }
                flag: { type: boolean, default: true, description: "true" }
                tags: { type: array, items: { type: string }, uniqueItems: true }
              required: [count, code]
            """);

        var json = ConfigurationJsonSchema.ToJson(config.GetSection("parameters")).GetRawText();

        Assert.Equal(
            """{"additionalProperties":false,"properties":{"code":{"enum":["1","2"],"maxLength":8,"pattern":"^[0-9]\u002B$","type":"string"},"count":{"enum":[1,2,5],"maximum":10,"minimum":1,"type":"integer"},"flag":{"default":true,"description":"true","type":"boolean"},"ratio":{"default":1.5,"exclusiveMinimum":0.5,"type":"number"},"tags":{"items":{"type":"string"},"type":"array","uniqueItems":true}},"required":["count","code"],"type":"object"}""",
            json);
    }

    [Theory]
    [InlineData("tools:timeout_ms")]
    [InlineData("tools:http:0:name")]
    [InlineData("tools:http:0:parameters:properties:order_id:type")]
    [InlineData("tools:http:1:headers:Authorization")]
    [InlineData("tools:http:0:result_path")]
    [InlineData("tools:mcp:0:url")]
    [InlineData("tools:mcp:0:tools:0")]
    [InlineData("tools:mcp:0:headers:X-Api-Key")]
    [InlineData("webhook:url")]
    [InlineData("webhook:secret_env")]
    [InlineData("webhook:max_attempts")]
    [InlineData("webhook:retry_delay_ms")]
    [InlineData("webhook:queue_capacity")]
    public void The_unknown_key_check_accepts_every_key_read(string key) => Assert.True(s_schema.IsKnown(key), key);

    [Fact]
    public void A_misspelt_webhook_override_is_an_error_naming_the_nearest_key()
    {
        var errors = UnusedSettingCheck.Find(s_schema, ["webhook:max_attempts"], ["AIAGENT_WEBHOOK__MAX_ATEMPTS"], []);

        var error = Assert.Single(errors);
        Assert.Contains("did you mean webhook:max_attempts", error, StringComparison.Ordinal);
    }
}
