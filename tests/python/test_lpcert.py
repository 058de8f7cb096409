"""The Python module lpcert (INTERFACE.md, "Python module"), run by CTest as `python_module`.

Environment: PYTHONPATH holds build/python; LPCERT_VERIFY names the `verify` executable (the CLI
whose JSON the module must reproduce).
"""

import copy
import decimal
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import lpcert

TINY = dict(function="sine", d=1, N=2, levels=2, p="2")


class RunAndCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cert = lpcert.run(**TINY)

    def test_certified_and_checked(self):
        self.assertEqual(self.cert["verdict"], "certified")
        result = lpcert.check(self.cert)
        self.assertEqual(result["passed"], True, result["first_failure"])
        self.assertEqual(result["first_failure"], "")
        self.assertGreater(result["levels_checked"], 0)

    def test_check_from_a_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "c.json")
            with open(path, "w") as out:
                json.dump(self.cert, out)
            import pathlib
            self.assertTrue(lpcert.check(pathlib.Path(path))["passed"])
            self.assertTrue(lpcert.check(path)["passed"])

    def test_tampered_copy_is_rejected(self):
        bad = copy.deepcopy(self.cert)
        level = bad["levels"][-1]
        # claim a much smaller error than the network has
        level["error"] = {k: "1e-40" for k in level["error"]} if isinstance(level["error"], dict) else "1e-40"
        result = lpcert.check(bad)
        self.assertFalse(result["passed"])
        self.assertNotEqual(result["first_failure"], "")

    def test_same_json_as_the_cli(self):
        verify = os.environ.get("LPCERT_VERIFY")
        if not verify:
            self.skipTest("LPCERT_VERIFY not set")
        out = subprocess.run([verify, "run", "--function", "sine", "--d", "1", "--N", "2", "--levels", "2", "--p", "2",
                              "--quiet", "--json", "-"], check=True, capture_output=True, text=True).stdout
        cli = json.loads(out[out.index("{"):])
        self.assertEqual(set(cli), set(self.cert))
        for key in cli:
            if key != "environment":
                self.assertEqual(cli[key], self.cert[key], key)


class Analysis(unittest.TestCase):
    def test_integrate_encloses_the_closed_form(self):
        r = lpcert.integrate("sin(2*pi*x1)*x2", d=2, p="2")
        self.assertEqual(r["schema"], "lpcert-integral/1")
        decimal.getcontext().prec = 50
        value = decimal.Decimal(1 / decimal.Decimal(6)).sqrt()   # ||sin(2 pi x1) x2||_2 = sqrt(1/2 * 1/3)
        norm = r["norm"]
        self.assertLessEqual(decimal.Decimal(norm["lower"]), value)
        self.assertLessEqual(value, decimal.Decimal(norm["upper"]))

    def test_integrate_of_a_catalog_name(self):
        r = lpcert.integrate("sine", p=2)
        self.assertEqual(r["schema"], "lpcert-integral/1")

    def test_modulus(self):
        r = lpcert.modulus("x1", d=1, p="2", delta="0.125")
        self.assertEqual(r["schema"], "lpcert-modulus/1")
        # omega_{x1}(1/8)_2 <= Lip * delta = 1/8
        self.assertLessEqual(decimal.Decimal(r["omega_lower"]), decimal.Decimal("0.125"))
        self.assertEqual(decimal.Decimal(r["omega_upper"]), decimal.Decimal("0.125"))

    def test_functions(self):
        names = [e["name"] for e in lpcert.functions()]
        self.assertIn("sine", names)


LAYERWISE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "layerwise")


class CertifyNetwork(unittest.TestCase):
    """A torch.onnx.export-ed model (the project's trained LPA network) certified from Python."""

    def test_onnx_model_certified_and_checked(self):
        path = os.path.join(LAYERWISE, "lpa_sine_d1.onnx")
        c = lpcert.certify_network(path, function="sine", p="inf")
        self.assertEqual(c["schema"], "lpcert-network-certificate/1")
        self.assertEqual(c["network"]["format"], "onnx")
        self.assertEqual(len(c["readouts"]), 5)
        self.assertEqual(len(c["pairs"]), 4)
        for r in c["readouts"]:
            self.assertLessEqual(decimal.Decimal(r["error"]["lower"]), decimal.Decimal(r["error"]["upper"]))
        self.assertTrue(lpcert.check(c)["passed"])
        lie = copy.deepcopy(c)
        lie["pairs"][0]["verdict"] = "increases" if c["pairs"][0]["verdict"] != "increases" else "decreases"
        self.assertFalse(lpcert.check(lie)["passed"])

    def test_same_json_as_the_cli(self):
        verify = os.environ.get("LPCERT_VERIFY")
        if not verify:
            self.skipTest("LPCERT_VERIFY not set")
        path = os.path.join(LAYERWISE, "mgdl_kink_d1.onnx")
        mine = lpcert.certify_network(path, f="abs(x1 - 1/3)", p="2")
        out = subprocess.run([verify, "certify-network", path, "--f", "abs(x1 - 1/3)", "--p", "2", "--quiet",
                              "--json", "-"], capture_output=True, text=True)
        self.assertIn(out.returncode, (0, 1))
        cli = json.loads(out.stdout[out.stdout.index("{"):])
        for d in (mine, cli):
            d.pop("environment", None)
        self.assertEqual(mine, cli)

    def test_bad_p(self):
        with self.assertRaises(ValueError):
            lpcert.certify_network(os.path.join(LAYERWISE, "mgdl_kink_d1.onnx"), function="kink", p="0.5")


class Errors(unittest.TestCase):
    def test_unknown_function(self):
        with self.assertRaises(ValueError) as e:
            lpcert.run(function="nope")
        self.assertEqual(str(e.exception), "--function: unknown function 'nope' (see `verify functions`)")

    def test_same_message_as_the_cli(self):
        verify = os.environ.get("LPCERT_VERIFY")
        cases = [(dict(f="x1", N=1), ["--f", "x1", "--N", "1"]),
                 (dict(f="x1+", d=1), ["--f", "x1+"]),
                 (dict(f="x1", p="0.5"), ["--f", "x1", "--p", "0.5"]),
                 (dict(f="x1", tol="2"), ["--f", "x1", "--tol", "2"])]
        for kwargs, argv in cases:
            with self.assertRaises(ValueError) as e:
                lpcert.run(**kwargs)
            if verify:
                p = subprocess.run([verify, "run", "--quiet"] + argv, capture_output=True, text=True)
                self.assertEqual(p.returncode, 2)
                self.assertIn(str(e.exception), p.stderr)

    def test_float_is_refused(self):
        with self.assertRaises(ValueError):
            lpcert.run(function="sine", p=2.5)

    def test_resource_limit_is_a_memory_error(self):
        with self.assertRaises(MemoryError):
            lpcert.run(function="sine", d=1, N=2, levels=40, p="2")

    def test_both_f_and_function(self):
        with self.assertRaises(ValueError):
            lpcert.run(function="sine", f="x1")


LONG = dict(function="sine_product", d=2, N=2, levels=10, p="2")   # a minute or more: only Ctrl-C ends it here


class Threads(unittest.TestCase):
    def test_gil_is_released(self):
        count = [0]
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                count[0] += 1
                time.sleep(0.001)

        t = threading.Thread(target=spin)
        t.start()
        try:
            start = time.monotonic()
            lpcert.run(function="sine", d=1, N=2, levels=6, p="2", max_seconds=3)
            seconds = time.monotonic() - start
        finally:
            stop.set()
            t.join()
        # a thread that ran only between calls would count a handful
        self.assertGreater(count[0], 20, "%d iterations in %.2f s" % (count[0], seconds))

    def test_ctrl_c(self):
        timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
        start = time.monotonic()
        timer.start()
        try:
            with self.assertRaises(KeyboardInterrupt):
                lpcert.run(**LONG, max_seconds=60)
        finally:
            timer.cancel()
        self.assertLess(time.monotonic() - start, 6)
        # the module is usable afterwards (the worker was joined, nothing is left running)
        self.assertEqual(lpcert.run(**TINY)["verdict"], "certified")

    def test_progress(self):
        seen = []
        lpcert.run(function="sine", d=1, N=2, levels=6, p="2",
                   progress=lambda stage, done, total: seen.append((stage, done, total)))
        self.assertTrue(seen)
        for stage, done, total in seen:
            self.assertIsInstance(stage, str)
            self.assertIsInstance(done, int)


if __name__ == "__main__":
    unittest.main()
