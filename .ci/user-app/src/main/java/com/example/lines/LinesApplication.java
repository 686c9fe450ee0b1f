package com.example.lines;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.netpoll.Connection;
import io.netpoll.OnRequest;
import io.netpoll.buffer.Reader;
import io.netpoll.spring.annotation.NetpollHandler;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A line protocol: each line comes back upper-cased.
 */
@SpringBootApplication
public class LinesApplication {

	public static void main(String[] args) {
		SpringApplication.run(LinesApplication.class, args);
	}

	@NetpollHandler
	static class UpperCase implements OnRequest {

		@Override
		public void onRequest(Object context, Connection connection) throws Exception {
			Reader reader = connection.reader();
			boolean wrote = false;
			while (reader.indexOf((byte) '\n') >= 0) {
				ByteBuffer line = reader.until((byte) '\n');
				connection.writer().writeString(StandardCharsets.UTF_8.decode(line).toString().toUpperCase(Locale.ROOT));
				wrote = true;
			}
			reader.release();
			if (wrote) {
				connection.writer().flush();
			}
		}

	}

}
