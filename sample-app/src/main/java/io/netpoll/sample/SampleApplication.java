package io.netpoll.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The sample application: three netpoll servers, each a {@code @NetpollHandler} bean —
 * {@code echo} (port 8888), {@code kv}, a Redis-compatible key-value server (port 6380), and
 * {@code proxy}, a zero-copy TCP proxy in front of {@code kv} (port 6381) — plus Actuator on
 * port 8080. Ports and limits are in {@code application.properties}.
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
