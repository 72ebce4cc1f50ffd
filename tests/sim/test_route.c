// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Routing on the built-in machines, hand-worked from their descriptions
 * (the JSON files in data/machines): which links a DMA crosses, where it turns,
 * who claims it, and the errors for addresses nobody should reach.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "simenv.h"

static const struct p2pdma_sim_opts in_memory = { .ns_in_memory = true };


static void assert_hops(struct env *v, const struct p2pdma_sim_route *r,
			const char *const *want, size_t n)
{
	char got[P2PDMA_BDF_STRLEN];
	size_t i;

	assert_int_equal(r->nr_hops, n);
	for (i = 0; i < n; i++) {
		/* "^BDF": crossed towards the root, "vBDF": away from it. */
		p2pdma_bdf_format(&r->hops[i].fn->bdf, got, sizeof(got));
		assert_string_equal(got, want[i] + 1);
		assert_int_equal(r->hops[i].up, want[i][0] == '^');
	}
	(void)v;
}

/* Same switch, ACS SV|UF only on its downstream ports: peer-to-peer below it. */
static void test_switch_local(void **state)
{
	static const char *const want[] = {
		"^0000:d0:00.0", "^0000:cc:03.0", "v0000:cc:00.0", "v0000:cd:00.0",
	};
	struct env *v = env_new("builtin:dual-xeon-8gpu", &in_memory);
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:d0:00.0"), 0x308000001000ULL, 4096,
					  true, &r, &e), 0);
	assert_int_equal(r.target, P2PDMA_SIM_TARGET_BAR);
	assert_ptr_equal(r.target_fn, fn(v, "0000:cd:00.0"));
	assert_int_equal(r.bar, 1);
	assert_true(r.phys == 0x308000001000ULL);
	assert_null(r.rc_in);
	assert_null(r.rc_out);
	assert_false(r.translated);
	assert_hops(v, &r, want, 4);
	env_free(v);
}

/* Host RAM from behind a switch: up every link to the root complex. */
static void test_to_ram(void **state)
{
	static const char *const want[] = {
		"^0000:d0:00.0", "^0000:cc:03.0", "^0000:cb:00.0", "^0000:ca:02.0",
	};
	struct env *v = env_new("builtin:dual-xeon-8gpu", &in_memory);
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:d0:00.0"), 0x100000000ULL, 8192,
					  false, &r, &e), 0);
	assert_int_equal(r.target, P2PDMA_SIM_TARGET_RAM);
	assert_ptr_equal(r.rc_in, fn(v, "0000:d0:00.0")->host);
	assert_null(r.rc_out);
	assert_hops(v, &r, want, 4);
	env_free(v);
}

/* The NVMe's own p2pmem, nothing allocated: a wild DMA, named. */
static void test_wild(void **state)
{
	struct env *v = env_new("builtin:dual-xeon-8gpu", &in_memory);
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:cd:00.0"), 0x30b004000000ULL, 4096,
					  true, &r, &e), -EADDRNOTAVAIL);
	assert_int_equal(r.fault, P2PDMA_SIM_FAULT_WILD);
	assert_non_null(strstr(e.reason, "0000:d0:00.0"));
	assert_non_null(strstr(e.reason, "wild DMA"));
	env_free(v);
}

/* ---------------------------------------------------------------------- */
/* The negative cases, on tests/sim/data/mixed.json                        */

static struct env *mixed(void)
{
	char *p = tu_data_path("../sim/data/mixed.json");
	struct env *v = env_new(p, &in_memory);

	free(p);
	return v;
}

static uint64_t alloc_in(struct env *v, const char *prov, uint64_t size)
{
	struct p2pdma_provider *p;
	struct p2pdma_error e = { 0 };
	uint64_t phys;

	if (p2pdma_provider_lookup(p2pdma_sim_mem(v->s), prov, &p, &e) ||
	    p2pdma_p2pmem_alloc(p, size, &phys, &e))
		fail_msg("%s", e.reason);
	return phys;
}

/* @len bytes at CPU address @phys read back as @byte. */
static void assert_bytes(struct env *v, uint64_t phys, uint64_t len, uint8_t byte)
{
	uint8_t *b = malloc(len);
	struct p2pdma_error e = { 0 };
	uint64_t i;

	assert_non_null(b);
	assert_int_equal(p2pdma_sim_cpu_read(v->s, phys, b, len, &e), 0);
	for (i = 0; i < len; i++)
		if (b[i] != byte)
			fail_msg("byte %llu at %#llx is %#x, not %#x", (unsigned long long)i,
				 (unsigned long long)phys, b[i], byte);
	free(b);
}

static void write_fails(struct env *v, const char *init, uint64_t addr, int err,
			enum p2pdma_sim_fault f, const char *says)
{
	uint8_t data[4096];
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };
	struct p2pdma_sim_stats before, after;

	memset(data, 0xa5, sizeof(data));
	p2pdma_sim_stats(v->s, &before);
	assert_int_equal(p2pdma_sim_dma_write(v->s, fn(v, init), addr, data, sizeof(data), &e), err);
	assert_non_null(strstr(e.reason, says));
	assert_non_null(strstr(e.reason, init));
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, init), addr, sizeof(data), true, &r, NULL), err);
	assert_int_equal(r.fault, f);
	p2pdma_sim_stats(v->s, &after);
	assert_true(after.bytes == before.bytes);	/* nothing delivered */
}

/*
 * Domain 1's bus addresses are CPU + 0x100000000000.  A client handed the
 * CPU address of a peer's p2pmem (the offset forgotten) reaches nobody:
 * below the switch no window holds it, and at the root complex it is
 * neither RAM nor, as a bus address, any BAR.
 */
static void test_bus_offset_omitted(void **state)
{
	struct env *v = mixed();
	uint64_t phys = alloc_in(v, "0001:03:00.0", 8192);
	uint8_t data[4096];
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };

	(void)state;
	write_fails(v, "0001:04:00.0", phys, -ENXIO, P2PDMA_SIM_FAULT_UNSUPPORTED, "unsupported request");
	assert_bytes(v, phys, 8192, 0);
	/* With the offset: switch-local, delivered. */
	memset(data, 0x5a, sizeof(data));
	assert_int_equal(p2pdma_sim_dma_write(v->s, fn(v, "0001:04:00.0"), phys + 0x100000000000ULL,
					      data, sizeof(data), &e), 0);
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0001:04:00.0"), phys + 0x100000000000ULL, 4096,
					  true, &r, &e), 0);
	assert_null(r.rc_in);
	assert_int_equal(r.nr_hops, 4);
	assert_bytes(v, phys, 4096, 0x5a);
	env_free(v);
}

static void test_freed_p2pmem(void **state)
{
	struct env *v = mixed();
	uint64_t phys = alloc_in(v, "0000:03:00.0", 4096);
	struct p2pdma_provider *p = p2pdma_provider_find(p2pdma_sim_mem(v->s), fn(v, "0000:03:00.0"));
	struct p2pdma_error e = { 0 };
	uint8_t data[4096];

	(void)state;
	memset(data, 0x11, sizeof(data));
	assert_int_equal(p2pdma_sim_dma_write(v->s, fn(v, "0000:04:00.0"), phys, data, 4096, &e), 0);
	assert_int_equal(p2pdma_p2pmem_free(p, phys, 4096, &e), 0);
	write_fails(v, "0000:04:00.0", phys, -EADDRNOTAVAIL, P2PDMA_SIM_FAULT_WILD, "wild DMA");
	assert_bytes(v, phys, 4096, 0x11);
	env_free(v);
}

static void map_host(struct env *v, const char *client, struct p2pdma_sgl *s, uint64_t *phys)
{
	struct p2pdma_error e = { 0 };

	p2pdma_sgl_init(s);
	assert_int_equal(p2pdma_mem_host_alloc(p2pdma_sim_mem(v->s), 8192, phys, &e), 0);
	assert_int_equal(p2pdma_sgl_add(s, *phys + 100, 5000, &e), 0);
	if (p2pdma_dma_map_sg(p2pdma_sim_dma(v->s), fn(v, client), s, &e) != 1)
		fail_msg("%s", e.reason);
}

/* The IOMMU translates what map_sg mapped, and nothing once it is unmapped. */
static void test_unmapped_iova(void **state)
{
	struct env *v = mixed();
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };
	struct p2pdma_sgl s;
	uint64_t phys, iova;

	(void)state;
	map_host(v, "0000:03:00.0", &s, &phys);
	assert_int_equal(s.sg[0].how, P2PDMA_DMA_IOVA);
	iova = s.sg[0].dma_address;
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:03:00.0"), iova + 10, 4000, false, &r, &e), 0);
	assert_true(r.translated);
	assert_int_equal(r.target, P2PDMA_SIM_TARGET_RAM);
	assert_true(r.phys == phys + 110);
	/* Past what was mapped (5000 bytes from offset 100: two pages). */
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:03:00.0"), iova - 100 + 8192, 1, false, &r, &e),
			 -EFAULT);
	assert_int_equal(p2pdma_dma_unmap_sg(p2pdma_sim_dma(v->s), fn(v, "0000:03:00.0"), &s, &e), 0);
	write_fails(v, "0000:03:00.0", iova, -EFAULT, P2PDMA_SIM_FAULT_IOMMU, "IOMMU group 10");
	assert_bytes(v, phys, 8192, 0);
	p2pdma_sgl_release(&s);
	env_free(v);
}

/*
 * A bus address handed to a client whose downstream port has ACS RR,
 * behind a translating IOMMU: the request is turned up, reaches the
 * IOMMU as an IOVA nobody mapped, and faults.  The same address from the
 * GPU on a port without ACS goes straight to the peer.
 */
static void test_bus_addr_redirected(void **state)
{
	struct env *v = mixed();
	uint64_t phys = alloc_in(v, "0000:03:00.0", 4096);
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };

	(void)state;
	write_fails(v, "0000:05:00.0", phys, -EFAULT, P2PDMA_SIM_FAULT_IOMMU, "IOMMU fault");
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:05:00.0"), phys, 4096, true, &r, NULL), -EFAULT);
	assert_ptr_equal(r.redirected_by, fn(v, "0000:02:02.0"));
	assert_bytes(v, phys, 4096, 0);
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:04:00.0"), phys, 4096, true, &r, &e), 0);
	assert_null(r.rc_in);
	assert_false(r.translated);
	assert_ptr_equal(r.target_fn, fn(v, "0000:03:00.0"));
	env_free(v);
}

/*
 * 8086:3c00 host bridges forward peer traffic only inside one host
 * bridge (REQ_SAME_HOST_BRIDGE): from pci0000:00 to pci0000:80 the root
 * complex drops it; overriding both host bridges shows what the
 * hardware would do when the kernel's rule is too strict.
 */
static void test_rc_not_forwarding(void **state)
{
	struct env *v = mixed();
	uint64_t phys = alloc_in(v, "0000:81:00.0", 4096), local = alloc_in(v, "0000:03:00.0", 4096);
	const struct p2pdma_host_bridge *h0 = fn(v, "0000:08:00.0")->host, *h80 = fn(v, "0000:81:00.0")->host;
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };

	(void)state;
	write_fails(v, "0000:08:00.0", phys, -EREMOTEIO, P2PDMA_SIM_FAULT_NO_PEER_FORWARD, "pci0000:80");
	assert_bytes(v, phys, 4096, 0);
	/* Inside pci0000:00, across root ports: forwarded. */
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:08:00.0"), local, 4096, true, &r, &e), 0);
	assert_ptr_equal(r.rc_in, h0);
	assert_ptr_equal(r.rc_out, h0);
	assert_int_equal(r.nr_hops, 2 + 4);
	assert_int_equal(p2pdma_sim_set_rc_forward(v->s, h80, P2PDMA_SIM_RC_FORWARD, &e), 0);
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:08:00.0"), phys, 4096, true, &r, NULL), -EREMOTEIO);
	assert_int_equal(p2pdma_sim_set_rc_forward(v->s, h0, P2PDMA_SIM_RC_FORWARD, &e), 0);
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:08:00.0"), phys, 4096, true, &r, &e), 0);
	assert_ptr_equal(r.rc_in, h0);
	assert_ptr_equal(r.rc_out, h80);
	assert_int_equal(p2pdma_sim_set_rc_forward(v->s, h0, P2PDMA_SIM_RC_DROP, &e), 0);
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:08:00.0"), local, 4096, true, &r, NULL), -EREMOTEIO);
	env_free(v);
}

/*
 * ACS CR alone on a port redirects completions only: a posted write
 * goes peer-to-peer, a read (whose completion would be redirected) goes
 * through the root complex.  EC redirects both.
 */
static void test_cr_and_ec(void **state)
{
	struct env *v = mixed();
	uint64_t phys = alloc_in(v, "0000:03:00.0", 4096);
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:07:00.0"), phys, 64, true, &r, &e), 0);
	assert_null(r.rc_in);
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:07:00.0"), phys, 64, false, &r, &e), 0);
	assert_non_null(r.rc_in);
	assert_ptr_equal(r.redirected_by, fn(v, "0000:02:04.0"));
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:06:00.0"), phys, 64, true, &r, &e), 0);
	assert_non_null(r.rc_in);
	assert_ptr_equal(r.redirected_by, fn(v, "0000:02:03.0"));
	env_free(v);
}

/* Bytes are counted per link and direction, and host memory separately. */
static void test_accounting(void **state)
{
	struct env *v = mixed();
	uint64_t phys = alloc_in(v, "0000:03:00.0", 8192), host;
	struct p2pdma_sim_stats st;
	struct p2pdma_error e = { 0 };
	uint8_t buf[8192] = { 0 };

	(void)state;
	assert_int_equal(p2pdma_mem_host_alloc(p2pdma_sim_mem(v->s), 8192, &host, &e), 0);
	/* GPU writes 8 KiB into the NVMe's CMB: GPU link up, NVMe link down. */
	assert_int_equal(p2pdma_sim_dma_write(v->s, fn(v, "0000:04:00.0"), phys, buf, 8192, &e), 0);
	/* NVMe D (direct) reads 4 KiB of host memory: its link carries it down. */
	assert_int_equal(p2pdma_sim_dma_read(v->s, fn(v, "0000:08:00.0"), host, buf, 4096, &e), 0);
	/* The NVMe writes into its own CMB: no link. */
	assert_int_equal(p2pdma_sim_dma_write(v->s, fn(v, "0000:03:00.0"), phys, buf, 100, &e), 0);
	p2pdma_sim_stats(v->s, &st);
	assert_int_equal(st.dmas, 3);
	assert_int_equal(st.host_mem_read, 4096);
	assert_int_equal(st.host_mem_written, 0);
	assert_int_equal(st.switch_local_bytes, 8192);
	assert_int_equal(st.rc_bytes, 4096);
	assert_int_equal(st.internal_bytes, 100);
	assert_int_equal(p2pdma_sim_link_bytes(v->s, fn(v, "0000:04:00.0"), true), 8192);
	assert_int_equal(p2pdma_sim_link_bytes(v->s, fn(v, "0000:02:01.0"), true), 8192);
	assert_int_equal(p2pdma_sim_link_bytes(v->s, fn(v, "0000:02:00.0"), false), 8192);
	assert_int_equal(p2pdma_sim_link_bytes(v->s, fn(v, "0000:03:00.0"), false), 8192);
	assert_int_equal(p2pdma_sim_link_bytes(v->s, fn(v, "0000:01:00.0"), true), 0);
	assert_int_equal(p2pdma_sim_link_bytes(v->s, fn(v, "0000:08:00.0"), false), 4096);
	assert_int_equal(p2pdma_sim_link_bytes(v->s, fn(v, "0000:08:00.0"), true), 0);
	env_free(v);
}

/*
 * The NIC receives a payload "from the wire" into a CMB buffer mapped for
 * it (THRU_HOST_BRIDGE: EC on its port), the bytes land there, and a send
 * from the same buffer carries them out again; the GPU's memory is its
 * 256 MiB prefetchable BAR.
 */
static void test_nic_and_gpu(void **state)
{
	struct env *v = mixed();
	uint64_t phys = alloc_in(v, "0000:03:00.0", 8192), gphys, gsize;
	struct p2pdma_sim_nic *nic = p2pdma_sim_nic(v->s, fn(v, "0000:06:00.0"));
	struct p2pdma_sim_gpu *gpu = p2pdma_sim_gpu(v->s, fn(v, "0000:04:00.0"));
	struct p2pdma_sim_dma_seg seg[2];
	struct p2pdma_error e = { 0 };
	uint8_t in[6000], out[6000];
	struct p2pdma_sgl s;
	int bar;

	(void)state;
	assert_non_null(nic);
	assert_non_null(gpu);
	assert_null(p2pdma_sim_nic(v->s, fn(v, "0000:03:00.0")));
	memset(in, 0x77, sizeof(in));
	p2pdma_sgl_init(&s);
	assert_int_equal(p2pdma_sgl_add(&s, phys, 8192, &e), 0);
	assert_int_equal(p2pdma_dma_map_sg(p2pdma_sim_dma(v->s), fn(v, "0000:06:00.0"), &s, &e), 1);
	assert_int_equal(s.sg[0].map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	seg[0] = (struct p2pdma_sim_dma_seg){ s.sg[0].dma_address, 4000 };
	seg[1] = (struct p2pdma_sim_dma_seg){ s.sg[0].dma_address + 4096, 2000 };
	assert_int_equal(p2pdma_sim_nic_receive(v->s, nic, in, sizeof(in), seg, 2, &e), 0);
	assert_bytes(v, phys, 4000, 0x77);
	assert_bytes(v, phys + 4000, 96, 0);
	assert_bytes(v, phys + 4096, 2000, 0x77);
	assert_int_equal(p2pdma_sim_nic_send(v->s, nic, out, sizeof(out), seg, 2, &e), 0);
	assert_memory_equal(in, out, sizeof(in));
	/* Segments that do not add up to the payload are refused. */
	assert_int_equal(p2pdma_sim_nic_send(v->s, nic, out, 100, seg, 2, &e), -EINVAL);
	assert_int_equal(p2pdma_dma_unmap_sg(p2pdma_sim_dma(v->s), fn(v, "0000:06:00.0"), &s, &e), 0);
	p2pdma_sgl_release(&s);
	assert_int_equal(p2pdma_sim_gpu_bar(gpu, &bar, &gphys, &gsize), 0);
	assert_int_equal(bar, 1);
	assert_true(gphys == 0x390000000000ULL && gsize == 256ULL << 20);
	env_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switch_local),
		cmocka_unit_test(test_to_ram),
		cmocka_unit_test(test_wild),
		cmocka_unit_test(test_bus_offset_omitted),
		cmocka_unit_test(test_freed_p2pmem),
		cmocka_unit_test(test_unmapped_iova),
		cmocka_unit_test(test_bus_addr_redirected),
		cmocka_unit_test(test_rc_not_forwarding),
		cmocka_unit_test(test_cr_and_ec),
		cmocka_unit_test(test_accounting),
		cmocka_unit_test(test_nic_and_gpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
