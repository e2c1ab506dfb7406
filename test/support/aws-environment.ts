import { inject } from 'vitest';
import { localAwsEnvironment } from '../../infra/local/embedded-servers.ts';

// Each test worker reaches the embedded servers exactly as a handler does: through the
// AWS_ENDPOINT_URL_* variables the SDK reads, not through endpoints passed in code.
Object.assign(process.env, localAwsEnvironment(inject('endpoints')), { LINK_KEY: inject('system').linkKey });
