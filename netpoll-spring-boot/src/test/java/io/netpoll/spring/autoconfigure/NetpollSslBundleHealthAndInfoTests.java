package io.netpoll.spring.autoconfigure;

import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.autoconfigure.health.NetpollHealthContributorAutoConfiguration;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.WatchBufferPools;
import io.netpoll.testing.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.info.InfoContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.info.InfoEndpointAutoConfiguration;
import org.springframework.boot.actuate.info.InfoEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.application.SslHealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.info.SslInfo;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.net.ssl.SSLSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boot's own SSL health indicator ({@code SslHealthIndicator}, {@code /actuator/health/ssl}) and
 * info contributor ({@code SslInfoContributor}, {@code /actuator/info}, off until
 * {@code management.info.ssl.enabled=true}) report every bundle of the {@code SslBundles}
 * registry, so the bundles netpoll's servers serve show there with their certificates' validity;
 * netpoll needs to register nothing. Checked on the endpoint beans that answer those URLs, with
 * netpoll servers that serve real TLS connections from those bundles: one with a valid
 * certificate, one with an expired one.
 */
@Timeout(60)
class NetpollSslBundleHealthAndInfoTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    SslAutoConfiguration.class,
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollSslAutoConfiguration.class,
                    NetpollHealthContributorAutoConfiguration.class,
                    SslHealthContributorAutoConfiguration.class,
                    HealthContributorAutoConfiguration.class,
                    HealthContributorRegistryAutoConfiguration.class,
                    EndpointAutoConfiguration.class,
                    HealthEndpointAutoConfiguration.class,
                    InfoContributorAutoConfiguration.class,
                    InfoEndpointAutoConfiguration.class))
            .withUserConfiguration(Handlers.class)
            .withPropertyValues(
                    "management.endpoints.web.exposure.include=health,info",
                    "management.endpoint.health.show-details=always",
                    "management.info.ssl.enabled=true",
                    "netpoll.servers.kv.address=127.0.0.1",
                    "netpoll.servers.kv.port=0",
                    "netpoll.servers.kv.ssl.bundle=kv",
                    "netpoll.servers.old.address=127.0.0.1",
                    "netpoll.servers.old.port=0",
                    "netpoll.servers.old.ssl.bundle=old",
                    "spring.ssl.bundle.pem.kv.keystore.certificate=classpath:tls/localhost.pem",
                    "spring.ssl.bundle.pem.kv.keystore.private-key=classpath:tls/localhost.key",
                    "spring.ssl.bundle.pem.old.keystore.certificate=classpath:tls/expired.pem",
                    "spring.ssl.bundle.pem.old.keystore.private-key=classpath:tls/expired.key");

    @Test
    void theSslHealthIndicatorShowsTheServersBundlesAndIsOutOfServiceForAnExpiredCertificate() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasNotFailed();
            // The servers serve the bundles' certificates.
            assertThat(servedSubject(port(context, "kv"))).contains("CN=localhost");
            HealthEndpoint health = context.getBean(HealthEndpoint.class);
            IndicatedHealthDescriptor ssl = (IndicatedHealthDescriptor) health.healthForPath("ssl");
            assertThat(ssl).isNotNull();
            // An expired certificate in a bundle in use makes the indicator OUT_OF_SERVICE.
            assertThat(ssl.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            Map<String, Object> details = ssl.getDetails();
            assertThat(chains(details.get("validChains")))
                    .extracting(SslInfo.CertificateChainInfo::getCertificates)
                    .anySatisfy((certificates) -> assertThat(certificates).anySatisfy((certificate) -> {
                        assertThat(certificate.getSubject()).contains("CN=localhost");
                        assertThat(certificate.getValidity().getStatus())
                                .isEqualTo(SslInfo.CertificateValidityInfo.Status.VALID);
                        assertThat(certificate.getValidityEnds()).isNotNull();
                    }));
            assertThat(chains(details.get("invalidChains")))
                    .extracting(SslInfo.CertificateChainInfo::getCertificates)
                    .anySatisfy((certificates) -> assertThat(certificates)
                            .anySatisfy((certificate) -> assertThat(
                                            certificate.getValidity().getStatus())
                                    .isEqualTo(SslInfo.CertificateValidityInfo.Status.EXPIRED)));
            // The netpoll contributor sits next to it, and says which servers speak TLS.
            IndicatedHealthDescriptor kv = (IndicatedHealthDescriptor) health.healthForPath("netpoll", "kv");
            assertThat(kv.getDetails()).containsEntry("tls", true);
        });
    }

    @Test
    void theSslInfoContributorListsTheServersBundlesWithTheirValidity() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasNotFailed();
            Map<String, Object> info = context.getBean(InfoEndpoint.class).info();
            assertThat(info).containsKey("ssl");
            SslInfo ssl = (SslInfo) info.get("ssl");
            assertThat(ssl.getBundles()).extracting(SslInfo.BundleInfo::getName).contains("kv", "old");
            assertThat(validity(ssl.getBundle("kv"))).containsOnly(SslInfo.CertificateValidityInfo.Status.VALID);
            assertThat(validity(ssl.getBundle("old"))).contains(SslInfo.CertificateValidityInfo.Status.EXPIRED);
        });
    }

    @Test
    void withoutManagementInfoSslEnabledInfoHasNoSslSection() {
        this.contextRunner
                .withPropertyValues("management.info.ssl.enabled=false")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(InfoEndpoint.class).info()).doesNotContainKey("ssl");
                });
    }

    private static List<SslInfo.CertificateValidityInfo.Status> validity(SslInfo.BundleInfo bundle) {
        return bundle.getCertificateChains().stream()
                .flatMap((chain) -> chain.getCertificates().stream())
                .map((certificate) -> certificate.getValidity().getStatus())
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static List<SslInfo.CertificateChainInfo> chains(Object detail) {
        assertThat(detail).isInstanceOf(List.class);
        return (List<SslInfo.CertificateChainInfo>) detail;
    }

    private static int port(org.springframework.context.ApplicationContext context, String server) {
        return context.getEnvironment().getProperty("local.netpoll.server." + server + ".port", Integer.class);
    }

    private static String servedSubject(int port) throws Exception {
        try (SSLSocket s =
                (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(s.getInputStream().readNBytes(1)).hasSize(1);
            return ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal()
                    .getName();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Handlers {

        @Bean
        @NetpollHandler(server = "kv")
        EchoHandler kvHandler() {
            return new EchoHandler();
        }

        @Bean
        @NetpollHandler(server = "old")
        EchoHandler oldHandler() {
            return new EchoHandler();
        }
    }
}
