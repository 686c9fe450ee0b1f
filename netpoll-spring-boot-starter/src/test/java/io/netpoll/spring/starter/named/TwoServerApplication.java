package io.netpoll.spring.starter.named;

import io.netpoll.Connection;
import io.netpoll.OnRequest;
import io.netpoll.spring.annotation.NetpollHandler;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.nio.charset.StandardCharsets;

/**
 * A user application with two servers: the default one (a class annotated
 * {@code @NetpollHandler}) and {@code admin} (a {@code @Bean} method).
 */
@SpringBootApplication
public class TwoServerApplication {

    @Bean
    @NetpollHandler(server = "admin")
    OnRequest adminHandler() {
        return (context, connection) -> reply(connection, "admin:");
    }

    static void reply(Connection connection, String prefix) throws java.io.IOException {
        byte[] bytes = connection.reader().readBinary(connection.reader().len());
        connection.writer().writeString(prefix, StandardCharsets.UTF_8);
        connection.writer().writeBinary(bytes, 0, bytes.length);
        connection.writer().flush();
    }

    /**
     * The default server's handler.
     */
    @NetpollHandler
    static class Api implements OnRequest {

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            reply(connection, "api:");
        }
    }
}
