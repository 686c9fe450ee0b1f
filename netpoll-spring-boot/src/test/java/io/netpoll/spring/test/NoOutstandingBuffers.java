package io.netpoll.spring.test;

import java.time.Duration;

import io.netpoll.buffer.BufferPool;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * After each test, every buffer node taken from netpoll-core's default pool has been given
 * back: a context that closed leaked no connection memory. (netpoll-core's test-jar is meant to
 * offer this; until it does, this is the starter's copy.)
 */
public class NoOutstandingBuffers implements AfterEachCallback {

	@Override
	public void afterEach(ExtensionContext context) {
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(BufferPool.defaultPool().stats().outstandingNodes())
				.as("buffer nodes not returned to the pool")
				.isZero());
	}

}
