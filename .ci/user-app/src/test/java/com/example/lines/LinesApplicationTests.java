package com.example.lines;

import io.netpoll.spring.boot.test.LocalNetpollPort;
import io.netpoll.spring.boot.test.NetpollTestClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest
class LinesApplicationTests {

	@Autowired
	NetpollTestClient client;

	@LocalNetpollPort
	int port;

	@Test
	void upperCasesEachLine() {
		assertThat(this.port).isNotEqualTo(7000);
		try (NetpollTestClient.Session session = this.client.dial()) {
			assertThat(session.sendLine("hello").readLine()).isEqualTo("HELLO");
		}
	}

}
