using Cascade.EventLog.Kafka;
using Cascade.Hosting.Tls;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Tests.Tls;

/// <summary>Credentials and TLS of the chosen servers are checked when the host is built, each refusal naming its setting.</summary>
public sealed class InfrastructureSecurityTests
{
    [Fact]
    public void A_missing_kafka_ca_file_stops_the_host_naming_the_setting()
    {
        var options = new ServiceHostOptions
        {
            GrpcPort = 0, HttpPort = 0, DataDirectory = Path.GetTempPath(),
            Infrastructure = { EventLog = "kafka", Kafka = { SecurityProtocol = SecurityProtocol.Ssl, SslCaFile = "/nonexistent/kafka-ca.crt" } },
        };

        var build = () => ServiceHost.Build(options, [], (_, _) => { }, _ => { });

        build.Should().Throw<OptionsValidationException>().WithMessage("*Cascade:Infrastructure:Kafka:SslCaFile*/nonexistent/kafka-ca.crt*");
    }

    [Fact]
    public void Kafka_sasl_needs_a_sasl_protocol_and_a_mechanism()
    {
        InfrastructureSecurity.Errors(new InfrastructureOptions { EventLog = "kafka", Kafka = { SaslMechanism = SaslMechanism.ScramSha512, SaslUsername = "cascade" } })
            .Should().ContainSingle().Which.Should().Contain("Cascade:Infrastructure:Kafka:SecurityProtocol");
        InfrastructureSecurity.Errors(new InfrastructureOptions { EventLog = "kafka", Kafka = { SecurityProtocol = SecurityProtocol.SaslSsl } })
            .Should().ContainSingle().Which.Should().Contain("Cascade:Infrastructure:Kafka:SaslMechanism");
        InfrastructureSecurity.Errors(new InfrastructureOptions { EventLog = "kafka", Kafka = { SecurityProtocol = SecurityProtocol.SaslSsl, SaslMechanism = SaslMechanism.Plain, SaslUsername = "u", SaslPassword = "p" } })
            .Should().BeEmpty();
    }

    [Fact]
    public void Servers_the_configuration_does_not_choose_are_not_checked()
    {
        var options = new InfrastructureOptions
        {
            Kafka = { SslCaFile = "/nonexistent/kafka-ca.crt" },
            Redis = { CaFile = "/nonexistent/redis-ca.crt" },
            RabbitMq = { CaFile = "/nonexistent/rabbitmq-ca.crt" },
        };

        InfrastructureSecurity.Errors(options).Should().BeEmpty("the embedded log, the in-process store and in-memory jobs use none of them");
    }

    [Fact]
    public void Redis_and_rabbitmq_certificates_go_with_their_keys_and_rabbitmq_files_need_ssl()
    {
        InfrastructureSecurity.Errors(new InfrastructureOptions { OnlineStore = "redis", Redis = { ClientCertificateFile = "/etc/hosts" } })
            .Should().ContainSingle().Which.Should().Contain("Cascade:Infrastructure:Redis:ClientKeyFile");
        InfrastructureSecurity.Errors(new InfrastructureOptions { Jobs = JobTransport.RabbitMq, RabbitMq = { CaFile = "/etc/hosts" } })
            .Should().ContainSingle().Which.Should().Contain("Cascade:Infrastructure:RabbitMq:Ssl");
    }

    [Fact]
    public void The_postgres_password_setting_joins_the_connection_string_and_overrides_one_in_it()
    {
        var options = new InfrastructureOptions { Postgres = "Host=db;Username=cascade;Password=old;Database=cascade;SSL Mode=VerifyFull", PostgresPassword = "from-the-secret" };

        var connection = new Npgsql.NpgsqlConnectionStringBuilder(options.PostgresConnectionString());

        connection.Password.Should().Be("from-the-secret");
        connection.SslMode.Should().Be(Npgsql.SslMode.VerifyFull);
        new InfrastructureOptions { Postgres = "Host=db" }.PostgresConnectionString().Should().Be("Host=db", "without the setting the string is used as given");
    }

    [Fact]
    public void Kafka_security_settings_reach_librdkafka_and_pass_through_settings_win()
    {
        var options = new KafkaEventLogOptions
        {
            SecurityProtocol = SecurityProtocol.SaslSsl, SaslMechanism = SaslMechanism.ScramSha256, SaslUsername = "cascade", SaslPassword = "secret",
            SslCaFile = "/ca.crt", Settings = { ["ssl.endpoint.identification.algorithm"] = "none", ["sasl.username"] = "override" },
        };

        var config = new ClientConfig();
        KafkaSecurity.Apply(options, config);

        config.SecurityProtocol.Should().Be(SecurityProtocol.SaslSsl);
        config.SaslMechanism.Should().Be(SaslMechanism.ScramSha256);
        config.SaslPassword.Should().Be("secret");
        config.SslCaLocation.Should().Be("/ca.crt");
        config.Get("ssl.endpoint.identification.algorithm").Should().Be("none");
        config.SaslUsername.Should().Be("override");
    }
}
