/**
 * Test support for netpoll servers in {@code @SpringBootTest}: random ports
 * ({@link io.netpoll.spring.boot.test.DefinedNetpollPorts} to opt out), the actual ports
 * ({@link io.netpoll.spring.boot.test.LocalNetpollPort}) and a blocking test client
 * ({@link io.netpoll.spring.boot.test.NetpollTestClient}).
 */
@NullMarked
package io.netpoll.spring.boot.test;

import org.jspecify.annotations.NullMarked;
