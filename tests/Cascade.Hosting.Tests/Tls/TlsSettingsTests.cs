using Cascade.Hosting.Tls;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Tests.Tls;

/// <summary>TLS settings are checked before the host serves anything; each refusal names the setting to fix.</summary>
public sealed class TlsSettingsTests(TlsCertificates certificates) : IClassFixture<TlsCertificates>
{
    [Fact]
    public void Defaults_are_cleartext_without_client_certificates_and_a_ten_second_reload_check()
    {
        var options = new TlsOptions();

        options.Enabled.Should().BeFalse();
        options.ClientCertificateMode.Should().Be(TlsClientCertificateMode.None);
        options.ReloadInterval.Should().Be(TimeSpan.FromSeconds(10));
        TlsSettings.Errors(options).Should().BeEmpty();
    }

    [Fact]
    public void A_missing_certificate_file_stops_the_host_naming_the_setting()
    {
        var options = new ServiceHostOptions
        {
            GrpcPort = 0, HttpPort = 0, DataDirectory = certificates.Directory,
            Tls = { CertificateFile = Path.Combine(certificates.Directory, "missing.crt"), KeyFile = certificates.Server.KeyFile },
        };

        var build = () => ServiceHost.Build(options, [], (_, _) => { }, _ => { });

        build.Should().Throw<OptionsValidationException>().WithMessage("*Cascade:Tls:CertificateFile*missing.crt*cannot be read*");
    }

    [Fact]
    public void Settings_given_on_the_command_line_are_checked_too()
    {
        var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = certificates.Directory };

        var build = () => ServiceHost.Build(options, [], (_, _) => { }, _ => { },
            [$"--Cascade:Tls:CertificateFile={certificates.Server.CertificateFile}", "--Cascade:Tls:KeyFile=/nonexistent/tls.key"]);

        build.Should().Throw<OptionsValidationException>().WithMessage("*Cascade:Tls:KeyFile*/nonexistent/tls.key*");
    }

    [Fact]
    public void A_key_that_is_not_the_certificates_own_is_refused()
    {
        var errors = TlsSettings.Errors(new TlsOptions { CertificateFile = certificates.Server.CertificateFile, KeyFile = certificates.Client.KeyFile });

        errors.Should().ContainSingle().Which.Should().Contain("Cascade:Tls:CertificateFile").And.Contain("does not load");
    }

    [Fact]
    public void A_certificate_without_its_key_is_refused()
    {
        TlsSettings.Errors(new TlsOptions { CertificateFile = certificates.Server.CertificateFile })
            .Should().ContainSingle().Which.Should().Contain("Cascade:Tls:KeyFile");
    }

    [Fact]
    public void Mutual_tls_needs_the_client_ca_and_a_client_ca_needs_mutual_tls()
    {
        var served = new TlsOptions { CertificateFile = certificates.Server.CertificateFile, KeyFile = certificates.Server.KeyFile };

        served.ClientCertificateMode = TlsClientCertificateMode.Require;
        TlsSettings.Errors(served).Should().ContainSingle().Which.Should().Contain("Cascade:Tls:ClientCaFile");

        served.ClientCertificateMode = TlsClientCertificateMode.None;
        served.ClientCaFile = certificates.ClientCa.CertificateFile;
        TlsSettings.Errors(served).Should().ContainSingle().Which.Should().Contain("Cascade:Tls:ClientCertificateMode");
    }

    [Fact]
    public void A_ca_file_that_holds_no_ca_certificate_is_refused()
    {
        TlsSettings.Errors(new TlsOptions { CaFile = certificates.Server.KeyFile })
            .Should().ContainSingle().Which.Should().Contain("Cascade:Tls:CaFile").And.Contain("not a CA bundle");
        TlsSettings.Errors(new TlsOptions { CaFile = certificates.Server.CertificateFile })
            .Should().ContainSingle().Which.Should().Contain("no self-signed", "a server certificate is no root to trust");
    }

    [Fact]
    public void A_reload_interval_out_of_range_is_refused()
    {
        TlsSettings.Errors(new TlsOptions { ReloadInterval = TimeSpan.FromDays(2) })
            .Should().ContainSingle().Which.Should().Contain("Cascade:Tls:ReloadInterval");
    }
}
