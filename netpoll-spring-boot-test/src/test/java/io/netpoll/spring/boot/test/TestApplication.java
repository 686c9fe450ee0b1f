package io.netpoll.spring.boot.test;

import io.netpoll.Connection;
import io.netpoll.OnRequest;
import io.netpoll.buffer.Reader;
import io.netpoll.spring.annotation.NetpollHandler;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Two servers: a line protocol (upper-cases each line) on the default server and
 * length-prefixed frames (echoed back reversed) on {@code frames}.
 */
@SpringBootApplication
public class TestApplication {

    @Bean
    @NetpollHandler
    UpperCaseLines upperCaseLines() {
        return new UpperCaseLines();
    }

    @Bean
    @NetpollHandler(server = "frames")
    ReverseFrames reverseFrames() {
        return new ReverseFrames();
    }

    static class UpperCaseLines implements OnRequest {

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            Reader reader = connection.reader();
            boolean wrote = false;
            while (reader.indexOf((byte) '\n') >= 0) {
                ByteBuffer line = reader.until((byte) '\n');
                String text = StandardCharsets.UTF_8.decode(line).toString();
                connection.writer().writeString(text.toUpperCase(Locale.ROOT));
                wrote = true;
            }
            reader.release();
            if (wrote) {
                connection.writer().flush();
            }
        }
    }

    static class ReverseFrames implements OnRequest {

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            Reader reader = connection.reader();
            while (reader.len() >= 4) {
                int length = reader.peek(4).getInt();
                if (reader.len() < 4 + length) {
                    break;
                }
                reader.skip(4);
                byte[] payload = reader.readBinary(length);
                byte[] reply = new byte[4 + length];
                ByteBuffer.wrap(reply).putInt(length);
                for (int i = 0; i < length; i++) {
                    reply[4 + i] = payload[length - 1 - i];
                }
                connection.writer().writeBinary(reply);
                connection.writer().flush();
            }
            reader.release();
        }
    }
}
